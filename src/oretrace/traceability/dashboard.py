"""The traceability app's key figures on the dashboard."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Membership
from oretrace.traceability.models import CustodyFlag, EpcisEvent
from oretrace.web.dashboard import Figure, figures


@figures
def traceability_figures(member: Membership) -> list[Figure]:
    events = EpcisEvent.objects.for_member(member)
    flags = CustodyFlag.objects.for_member(member)
    return [
        Figure(_("EPCIS events captured"), events.count(), reverse("traceability:events")),
        Figure(
            _("Lots with mass-balance flags"),
            flags.values("lot").distinct().count(),
            reverse("traceability:lots") + "?flagged=1",
        ),
    ]
