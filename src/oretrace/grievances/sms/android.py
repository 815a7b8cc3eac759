"""SMS Gateway for Android (capcom6/android-sms-gateway), its webhooks in local mode.

The phone posts JSON ``{"deviceId", "event", "id", "payload": {...}, "webhookId"}``; for
``sms:received`` the payload has ``messageId``, ``message``, ``sender`` (older versions:
``phoneNumber`` only), ``recipient`` (may be null), ``simNumber``, ``receivedAt``. It signs
each request: ``X-Signature`` is the hex HMAC-SHA256, under the signing key set in the app, of
the raw body followed by ``X-Timestamp`` (Unix seconds). Retries re-send the same event with the
same ``messageId`` for up to two days, so the receiver must process each message once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from oretrace.grievances.sms import (
    InboundSms,
    OutboundRequest,
    SendFailed,
    SignatureInvalid,
    SmsError,
    basic_auth,
    refuse_or_retry,
)

NAME = "android"
RECEIVED = "sms:received"
MAX_BODY = 64 * 1024


def verify(
    *, key: str, body: bytes, timestamp: str, signature: str, now: float, max_skew: int
) -> None:
    """``SignatureInvalid`` unless ``signature`` is the HMAC of ``body`` + ``timestamp`` under
    ``key`` and ``timestamp`` is within ``max_skew`` seconds of ``now`` (no stale replays)."""
    if not timestamp or not signature:
        raise SignatureInvalid("the X-Signature and X-Timestamp headers are required")
    try:
        moment = int(timestamp)
    except ValueError:
        raise SignatureInvalid(f"X-Timestamp {timestamp[:20]!r} is not Unix seconds") from None
    if abs(now - moment) > max_skew:
        raise SignatureInvalid(f"X-Timestamp is more than {max_skew} s from this server's clock")
    expected = hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise SignatureInvalid("X-Signature does not match the body: wrong signing key?")


def _text(payload: dict[str, Any], field: str) -> str:
    value = payload.get(field)
    if not isinstance(value, str):
        raise SmsError(f"payload.{field}: expected text, got {type(value).__name__}")
    return value


def parse(body: bytes) -> InboundSms | None:
    """The received SMS of a webhook body; None for any other event (sent, delivered, ping).

    ``SmsError`` names the field that is missing or of the wrong type.
    """
    if len(body) > MAX_BODY:
        raise SmsError(f"the body is over {MAX_BODY // 1024} KB")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SmsError(f"the body is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise SmsError("the body is not a JSON object")
    if document.get("event") != RECEIVED:
        return None
    payload = document.get("payload")
    if not isinstance(payload, dict):
        raise SmsError("payload: expected an object")
    sender = payload.get("sender") or payload.get("phoneNumber")
    if not isinstance(sender, str) or not sender.strip():
        raise SmsError("payload.sender (or phoneNumber): expected the sender's number")
    device = document.get("deviceId") or ""
    message_id = _text(payload, "messageId")
    return InboundSms(
        gateway=NAME,
        message_id=f"{device}:{message_id}"[:200],
        sender=sender.strip(),
        text=_text(payload, "message"),
    )


def send_request(
    *, url: str, user: str, password: str, to: str, text: str, reference: str
) -> OutboundRequest:
    """The local server's ``POST /message`` (``/messages`` on newer versions: ``url`` is the
    whole address) with basic authentication; our reference is the message's id, so the phone
    itself refuses a second copy of the same message (HTTP 409)."""
    document = {
        "id": reference[:36],
        "textMessage": {"text": text},
        "phoneNumbers": [to],
    }
    return OutboundRequest(
        url=url,
        headers={
            "Authorization": basic_auth(user, password),
            "Content-Type": "application/json",
        },
        body=json.dumps(document, ensure_ascii=False).encode(),
    )


def sent_id(status: int, body: bytes, reference: str) -> str:
    """The gateway's id of the message it accepted (HTTP 202 with ``{"id": …}``); a 409 means
    it already holds a message with our id: the first attempt went through."""
    if status == 409:
        return reference[:36]
    refuse_or_retry(status, body, NAME)
    try:
        document = json.loads(body or b"{}")
    except ValueError:
        raise SendFailed(f"{NAME} answered HTTP {status} with a body that is not JSON") from None
    found = document.get("id") if isinstance(document, dict) else None
    return str(found) if found else reference[:36]
