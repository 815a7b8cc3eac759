"""The secret upload link of a campaign request: its token, the token's hash, the link.

The token is 256 bits derived with the site's secret key from a random salt kept on the request
(so the worker can write it into e-mails without it ever being stored or queued), and the
request keeps only the token's SHA-256 to recognise it.
"""

from __future__ import annotations

import base64
import hashlib

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from oretrace.declarations.models import CampaignRequest


def token_for(request: CampaignRequest) -> str:
    """The secret of the request's link, derived from its salt and the site's secret key."""
    digest = salted_hmac(
        "oretrace.declarations.campaign-link", request.token_salt, algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_for(request: CampaignRequest) -> str:
    """The absolute upload link that goes into the supplier's e-mail."""
    return settings.ORETRACE_BASE_URL + reverse("respond", args=[token_for(request)])
