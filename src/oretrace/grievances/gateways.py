"""Which SMS gateway a channel sends through, with what settings, and the HTTP that reaches it.

The adapters (``grievances.sms.<name>``) stay pure: they build the request and read the answer.
This module knows the settings: ``ORETRACE_GRIEVANCE_SMS_CHANNEL_GATEWAYS`` names a gateway per
channel (``slug=twilio``), ``ORETRACE_GRIEVANCE_SMS_GATEWAY`` the one for every other channel;
with neither, the first adapter whose sending settings are filled in (android, twilio,
africastalking). Each adapter's own settings are in docs/reference/configuration.md.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable

from django.conf import settings

from oretrace.grievances.models import Channel
from oretrace.grievances.sms import (
    OutboundRequest,
    SendFailed,
    SendRefused,
    africastalking,
    android,
    twilio,
)

ANDROID = android.NAME
TWILIO = twilio.NAME
AFRICASTALKING = africastalking.NAME
GATEWAYS = (ANDROID, TWILIO, AFRICASTALKING)


def _android_ready() -> bool:
    return bool(settings.ORETRACE_GRIEVANCE_SMS_ANDROID_URL)


def _twilio_ready() -> bool:
    return bool(
        settings.ORETRACE_GRIEVANCE_SMS_TWILIO_ACCOUNT_SID
        and settings.ORETRACE_GRIEVANCE_SMS_TWILIO_AUTH_TOKEN
        and settings.ORETRACE_GRIEVANCE_SMS_TWILIO_FROM
    )


def _africastalking_ready() -> bool:
    return bool(
        settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_USERNAME
        and settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_API_KEY
    )


_READY: dict[str, Callable[[], bool]] = {
    ANDROID: _android_ready,
    TWILIO: _twilio_ready,
    AFRICASTALKING: _africastalking_ready,
}


def channel_gateways() -> dict[str, str]:
    """The per-channel choices of ``ORETRACE_GRIEVANCE_SMS_CHANNEL_GATEWAYS``, by slug."""
    chosen: dict[str, str] = {}
    for item in settings.ORETRACE_GRIEVANCE_SMS_CHANNEL_GATEWAYS.split(","):
        slug, _sep, name = item.partition("=")
        if slug.strip() and name.strip():
            chosen[slug.strip()] = name.strip()
    return chosen


def gateway_for(channel: Channel) -> str:
    """The gateway ``channel`` sends through; "" when none is configured."""
    name = channel_gateways().get(channel.slug) or settings.ORETRACE_GRIEVANCE_SMS_GATEWAY
    if name:
        return str(name)
    return next((gateway for gateway in GATEWAYS if _READY[gateway]()), "")


def build_request(gateway: str, *, to: str, text: str, reference: str) -> OutboundRequest:
    """The request that hands one SMS to ``gateway``; ``SendRefused`` when it is unknown or not
    configured for sending."""
    if gateway not in _READY:
        raise SendRefused(f"{gateway!r} is not an SMS gateway: use one of {', '.join(GATEWAYS)}")
    if not _READY[gateway]():
        raise SendRefused(f"the {gateway} gateway has no sending settings")
    if gateway == ANDROID:
        return android.send_request(
            url=settings.ORETRACE_GRIEVANCE_SMS_ANDROID_URL,
            user=settings.ORETRACE_GRIEVANCE_SMS_ANDROID_USER,
            password=settings.ORETRACE_GRIEVANCE_SMS_ANDROID_PASSWORD,
            to=to,
            text=text,
            reference=reference,
        )
    if gateway == TWILIO:
        return twilio.send_request(
            api=settings.ORETRACE_GRIEVANCE_SMS_TWILIO_API_URL,
            account_sid=settings.ORETRACE_GRIEVANCE_SMS_TWILIO_ACCOUNT_SID,
            token=settings.ORETRACE_GRIEVANCE_SMS_TWILIO_AUTH_TOKEN,
            sender=settings.ORETRACE_GRIEVANCE_SMS_TWILIO_FROM,
            to=to,
            text=text,
        )
    return africastalking.send_request(
        api=settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_API_URL,
        username=settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_USERNAME,
        api_key=settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_API_KEY,
        sender=settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_FROM,
        to=to,
        text=text,
    )


def read_answer(gateway: str, status: int, body: bytes, reference: str) -> str:
    """The gateway's id of the message it accepted, or ``SendFailed``/``SendRefused``."""
    if gateway == TWILIO:
        return twilio.sent_id(status, body)
    if gateway == AFRICASTALKING:
        return africastalking.sent_id(status, body)
    return android.sent_id(status, body, reference)


def post(request: OutboundRequest) -> tuple[int, bytes]:
    """Send ``request``; the answer's status and body. ``SendFailed`` when the gateway cannot
    be reached or does not answer in ``ORETRACE_GRIEVANCE_SMS_SEND_TIMEOUT_SECONDS``."""
    if not request.url.startswith(("http://", "https://")):
        raise SendRefused(f"the gateway's address {request.url[:80]!r} is not http(s)")
    prepared = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        request.url, data=request.body, headers=request.headers, method=request.method
    )
    timeout = settings.ORETRACE_GRIEVANCE_SMS_SEND_TIMEOUT_SECONDS
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as response:  # noqa: S310
            return int(response.status), response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read(64 * 1024)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SendFailed(f"the gateway at {request.url[:80]} did not answer: {exc}") from None
