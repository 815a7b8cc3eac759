"""SMS gateways behind one interface: bytes of a webhook in, an ``InboundSms`` out.

Pure: no Django, no settings. Each adapter module (``android``: the self-hosted SMS Gateway
for Android, its webhooks) offers ``verify(...)`` for the request's signature and ``parse(body)``
for its payload. The phone number leaves an adapter only inside ``InboundSms``; the service
keeps nothing of it but a keyed hash.
"""

from __future__ import annotations

from dataclasses import dataclass


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
