"""Africa's Talking: its incoming-messages callback and its SMS API.

Africa's Talking posts each received SMS as a form: ``from``, ``to`` (the short code),
``text``, ``id`` (its id of the message, the same on every retry), ``date``
(``2017-05-03T06:04:45Z`` or ``2017-05-03 06:04:45``), ``linkId`` (for premium replies). It
does not sign its callbacks, so the callback's address carries a secret of our own
(``?key=``) that the view checks.

Sending: ``POST {api}`` (``https://api.africastalking.com/version1/messaging``) with the
``apiKey`` header and a form of ``username``, ``to``, ``message`` and optionally ``from`` (a
short code or sender id); the answer lists each recipient with a ``statusCode`` (100 to 102:
taken) and its ``messageId``.
"""

from __future__ import annotations

import hmac
import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from oretrace.grievances.sms import (
    InboundSms,
    OutboundRequest,
    SendFailed,
    SendRefused,
    SignatureInvalid,
    SmsError,
    form_fields,
    phone_number,
    refuse_or_retry,
)

NAME = "africastalking"
DATE_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%d %H:%M:%S")
TAKEN = frozenset({100, 101, 102})
# InsufficientBalance, InternalServerError, GatewayError: may pass; the rest is final.
MAY_PASS = frozenset({405, 500, 501})


def verify(*, key: str, given: str) -> None:
    """``SignatureInvalid`` unless the callback's ``?key=`` is ours."""
    if not given:
        raise SignatureInvalid("the callback's address must carry ?key= (its secret)")
    if not hmac.compare_digest(key.encode(), given.encode()):
        raise SignatureInvalid("the callback's ?key= is not this server's")


def _date(value: str) -> datetime:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern)  # noqa: DTZ007 - UTC, checked only
        except ValueError:
            continue
    raise SmsError(f"date: {value[:40]!r} is not a date and time (2017-05-03T06:04:45Z)")


def parse(body: bytes) -> InboundSms:
    """The received SMS of a callback's form; ``SmsError`` naming the field that is missing or
    wrong (a sender that is a name, a date that is not one)."""
    fields = dict(form_fields(body, NAME))
    missing = [name for name in ("id", "text", "from", "to", "date") if name not in fields]
    if missing:
        raise SmsError("field(s) required: " + ", ".join(missing))
    message_id = fields["id"].strip()
    if not message_id:
        raise SmsError("field 'id' is empty")
    sender = phone_number(fields["from"], "from")
    _date(fields["date"].strip())
    return InboundSms(gateway=NAME, message_id=message_id[:200], sender=sender, text=fields["text"])


def send_request(
    *, api: str, username: str, api_key: str, sender: str, to: str, text: str
) -> OutboundRequest:
    """The SMS API's ``POST`` for one message."""
    form = {"username": username, "to": to, "message": text}
    if sender:
        form["from"] = sender
    return OutboundRequest(
        url=api,
        headers={
            "apiKey": api_key,
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=urlencode(form).encode(),
    )


def sent_id(status: int, body: bytes) -> str:
    """The ``messageId`` of the one recipient; its ``statusCode`` says whether it was taken."""
    refuse_or_retry(status, body, NAME)
    try:
        document: Any = json.loads(body)
        recipient = document["SMSMessageData"]["Recipients"][0]
        code = int(recipient["statusCode"])
    except (ValueError, KeyError, IndexError, TypeError):
        detail = body[:200].decode("utf-8", "replace")
        raise SendFailed(f"{NAME} answered HTTP {status} without a recipient: {detail}") from None
    if code in TAKEN:
        return str(recipient.get("messageId") or "")
    message = f"{NAME} did not take the SMS: {recipient.get('status', '')} ({code})"
    if code in MAY_PASS:
        raise SendFailed(message)
    raise SendRefused(message)
