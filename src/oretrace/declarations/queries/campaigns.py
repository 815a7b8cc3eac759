"""Reads of campaigns: the request a link opens, and the response rates.

``response_rate(campaign)`` is what the organisation reports in question 6 of its own
declaration ("What percentage of relevant suppliers have provided a response to your supply
chain survey?"): requests that brought a declaration, over requests sent. A supplier that
declined did answer, but gave no declaration, so it does not count as a response.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from oretrace.core.exceptions import NotFound
from oretrace.core.models import Membership
from oretrace.core.tenancy import owned
from oretrace.declarations.choices import RESPONDED, RequestStatus
from oretrace.declarations.links import hash_token
from oretrace.declarations.models import Campaign, CampaignRequest

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def find_request(token: str) -> CampaignRequest:
    """The request a link's token opens, or `NotFound` (the same for any wrong token)."""
    if not _TOKEN_RE.match(token or ""):
        raise NotFound(_("This link opens no request."))
    wanted = hash_token(token)
    found = (
        CampaignRequest.objects.select_related(
            "campaign", "campaign__organisation", "supplier", "declaration"
        )
        .filter(token_hash=wanted)
        .first()
    )
    # The lookup is by hash; the comparison that decides is constant-time all the same.
    if found is None or not hmac.compare_digest(found.token_hash, wanted):
        raise NotFound(_("This link opens no request."))
    return found


# The RMI answer bands of CMRT question 6 (EMRT, AMRT and CRT ask the same with the same bands).
Q6_BANDS = ("100%", "Greater than 90%", "Greater than 75%", "Greater than 50%", "50% or less")


@dataclass(frozen=True)
class ResponseRate:
    """Suppliers that sent a declaration over suppliers asked, with the status counts."""

    requested: int
    responded: int
    counts: dict[str, int]

    @property
    def ratio(self) -> float | None:
        return self.responded / self.requested if self.requested else None

    @property
    def percent(self) -> int | None:
        """Rounded down, so that 99.6 % never shows as 100 %."""
        return self.responded * 100 // self.requested if self.requested else None

    @property
    def q6_answer(self) -> str:
        """The answer to question 6 in the template's own words ("None" when nobody sent one;
        empty when nobody was asked)."""
        if not self.requested:
            return ""
        if self.responded == 0:
            return "None"
        share = self.responded / self.requested
        if share >= 1:
            return Q6_BANDS[0]
        for band, floor in zip(Q6_BANDS[1:4], (0.9, 0.75, 0.5), strict=True):
            if share > floor:
                return band
        return Q6_BANDS[4]


def response_rate(campaign: Campaign) -> ResponseRate:
    """The campaign's response rate (question 6 of the organisation's own declaration)."""
    counts = dict.fromkeys(RequestStatus.values, 0)
    for request in campaign.requests.all():  # prefetched by a list of campaigns
        counts[request.status] += 1
    responded = sum(counts[s] for s in RESPONDED)
    return ResponseRate(requested=sum(counts.values()), responded=responded, counts=counts)


# A supplier asked in several campaigns of a year counts once, with its furthest answer.
_RANK: dict[str, int] = {
    s.value: i
    for i, s in enumerate(
        (
            RequestStatus.REQUESTED,
            RequestStatus.REMINDED,
            RequestStatus.DECLINED,
            RequestStatus.NEEDS_CORRECTION,
            RequestStatus.RECEIVED,
            RequestStatus.ACCEPTED,
        )
    )
}


def year_response_rate(member: Membership, family: str, year: int) -> ResponseRate | None:
    """The response rate over every campaign of the member's organisation for one template
    and reporting year, each supplier counted once; None when no campaign asked for it.

    This is the figure for question 6 of the organisation's own declaration of that year.
    """
    rows = (
        owned(CampaignRequest.objects.all(), member)
        .filter(campaign__family=family, campaign__reporting_year=year)
        .values_list("supplier_id", "status")
    )
    best: dict[int, str] = {}
    for supplier_id, status in rows:
        if supplier_id not in best or _RANK[status] > _RANK[best[supplier_id]]:
            best[supplier_id] = status
    if not best:
        return None
    counts = dict.fromkeys(RequestStatus.values, 0)
    for status in best.values():
        counts[status] += 1
    responded = sum(counts[s] for s in RESPONDED)
    return ResponseRate(requested=len(best), responded=responded, counts=counts)
