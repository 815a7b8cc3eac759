"""A Twilio-compatible SMS API: its inbound webhook and its Messages resource.

Twilio (and the services that copy its API) post each received SMS as a form
(``application/x-www-form-urlencoded``): ``MessageSid`` (the same on every retry), ``AccountSid``,
``From``, ``To``, ``Body``, ``NumSegments`` (the parts it came in: Twilio joins them before the
webhook), ``NumMedia`` and ``MediaUrl0``… for pictures. It signs each request:
``X-Twilio-Signature`` is the Base64 HMAC-SHA1, under the account's auth token, of the full URL
it called followed by every posted field's name and value, sorted by name. The answer is TwiML;
an empty ``<Response/>`` sends nothing back (our replies go through the Messages API).

Sending: ``POST {api}/Accounts/{sid}/Messages.json`` with ``To``, ``From`` and ``Body``, basic
authentication with the account SID and the auth token; 201 with the message's ``sid``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import quote, urlencode

from oretrace.grievances.sms import (
    InboundSms,
    OutboundRequest,
    SendFailed,
    SignatureInvalid,
    SmsError,
    basic_auth,
    form_fields,
    phone_number,
    refuse_or_retry,
)

NAME = "twilio"
EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'


def signature(token: str, url: str, fields: list[tuple[str, str]]) -> str:
    """The ``X-Twilio-Signature`` of a request to ``url`` with these posted fields."""
    signed = url + "".join(name + value for name, value in sorted(fields, key=lambda f: f[0]))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify(*, token: str, url: str, body: bytes, signature_header: str) -> None:
    """``SignatureInvalid`` unless the header is the signature of ``url`` and the body's fields
    under the account's auth token ``token``."""
    if not signature_header:
        raise SignatureInvalid("the X-Twilio-Signature header is required")
    expected = signature(token, url, form_fields(body, NAME))
    if not hmac.compare_digest(expected, signature_header.strip()):
        raise SignatureInvalid(
            "X-Twilio-Signature does not match the URL and fields: wrong auth token, or the "
            "webhook's URL is not the one Twilio called (check ORETRACE_BASE_URL)"
        )


def _one(fields: dict[str, str], name: str) -> str:
    value = fields.get(name, "").strip()
    if not value:
        raise SmsError(f"field {name!r} is required")
    return value


def parse(body: bytes, *, account_sid: str = "") -> InboundSms:
    """The received SMS of a webhook's form; ``SmsError`` naming the field that is missing or
    wrong. Pictures are not kept (they can identify the sender): a message that is only
    pictures is refused, one with text keeps its text."""
    fields = dict(form_fields(body, NAME))
    sid = fields.get("MessageSid") or fields.get("SmsSid") or ""
    if not sid.strip():
        raise SmsError("field 'MessageSid' is required")
    account = _one(fields, "AccountSid")
    if account_sid and account != account_sid:
        raise SmsError(f"AccountSid {account[:40]!r} is not this server's account")
    sender = phone_number(_one(fields, "From"), "From")
    _one(fields, "To")
    text = fields.get("Body", "")
    media = fields.get("NumMedia", "0") or "0"
    if not media.isdigit():
        raise SmsError(f"NumMedia: {media[:10]!r} is not a count")
    if not text.strip() and int(media):
        raise SmsError(
            f"the message has {int(media)} media item(s) and no text: only text is taken"
        )
    return InboundSms(gateway=NAME, message_id=sid.strip()[:200], sender=sender, text=text)


def send_request(
    *, api: str, account_sid: str, token: str, sender: str, to: str, text: str
) -> OutboundRequest:
    """The Messages resource's ``POST`` for one SMS from ``sender`` (a number or, starting
    with ``MG``, a messaging service)."""
    source = {"MessagingServiceSid": sender} if sender.startswith("MG") else {"From": sender}
    form = {"To": to, **source, "Body": text}
    return OutboundRequest(
        url=f"{api.rstrip('/')}/Accounts/{quote(account_sid, safe='')}/Messages.json",
        headers={
            "Authorization": basic_auth(account_sid, token),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
        body=urlencode(form).encode(),
    )


def sent_id(status: int, body: bytes) -> str:
    """The ``sid`` of the message the API accepted; a 4xx refusal (a number that cannot take
    SMS: codes 21211, 21610, …) is final, 5xx and 429 may pass."""
    try:
        document = json.loads(body or b"{}")
    except ValueError:
        document = {}
    if not isinstance(document, dict):
        document = {}
    refuse_or_retry(status, body, NAME)
    sid = document.get("sid")
    if not isinstance(sid, str) or not sid:
        raise SendFailed(f"{NAME} answered HTTP {status} without the message's sid")
    return sid
