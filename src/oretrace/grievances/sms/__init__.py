"""SMS gateways behind one interface: bytes of a webhook in, an ``InboundSms`` out.

Pure: no Django, no settings. Each adapter module (``android``: the self-hosted SMS Gateway
for Android, its webhooks; ``twilio``: a Twilio-compatible API; ``africastalking``) offers
``verify(...)`` for the request's signature and ``parse(body)`` for its payload; for sending,
``send_request(...)`` builds the HTTP request that hands one SMS to the gateway and
``sent_id(status, body)`` reads the gateway's answer (its id of the message, or
``SendFailed``/``SendRefused``). The HTTP itself is ``grievances.gateways``'s.
The phone number leaves an adapter only inside ``InboundSms`` (or an outgoing request); the
service keeps nothing of it but a keyed hash, or a sealed copy until an outgoing SMS is sent.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import parse_qsl


class SmsError(ValueError):
    """A webhook that cannot be taken as given; the message says what is wrong and where."""


class SignatureInvalid(SmsError):
    """A webhook whose signature or timestamp does not hold: not from our gateway."""


@dataclass(frozen=True)
class InboundSms:
    """One received SMS, as a gateway reported it."""

    gateway: str  # the adapter's name, e.g. "android"
    message_id: str  # the gateway's id of the message: the same for every retry
    sender: str
    text: str


class SendRefused(SmsError):
    """The gateway refused an outgoing SMS for good (bad number, bad credentials): sending it
    again would not help."""


class SendFailed(SmsError):
    """The gateway could not take an outgoing SMS now (down, busy, timed out): try again later."""


@dataclass(frozen=True)
class OutboundRequest:
    """The HTTP request that hands one SMS to a gateway, as an adapter builds it."""

    url: str
    headers: dict[str, str]
    body: bytes
    method: str = "POST"


def basic_auth(user: str, password: str) -> str:
    """The value of an ``Authorization`` header for HTTP basic authentication."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return f"Basic {token}"


def refuse_or_retry(status: int, body: bytes, gateway: str) -> None:
    """Raise for a gateway's answer that is not a success: ``SendFailed`` for what may pass
    (5xx, 408, 429), ``SendRefused`` for the rest of the 4xx."""
    if 200 <= status < 300:
        return
    detail = body[:200].decode("utf-8", "replace")
    message = f"{gateway} answered HTTP {status}: {detail}"
    if status >= 500 or status in (408, 429):
        raise SendFailed(message)
    raise SendRefused(message)


def phone_number(value: str, field: str) -> str:
    """A sender's number as a gateway gave it (``+`` and digits; spaces and dashes dropped);
    ``SmsError`` naming ``field`` when it is a name (``MTN``) or empty: no thread by it."""
    kept = "".join(ch for ch in value if ch not in " -.()")
    digits = kept.removeprefix("+")
    if not digits.isascii() or not digits.isdigit() or not 3 <= len(digits) <= 15:
        raise SmsError(f"{field}: {value[:30]!r} is not a phone number")
    return kept


def form_fields(body: bytes, what: str) -> list[tuple[str, str]]:
    """The fields of a form-encoded webhook body, in order; ``SmsError`` when it is too large
    or not UTF-8."""
    if len(body) > 64 * 1024:
        raise SmsError(f"the {what} body is over 64 KB")
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise SmsError(f"the {what} body is not UTF-8") from None
    return parse_qsl(text, keep_blank_values=True)
