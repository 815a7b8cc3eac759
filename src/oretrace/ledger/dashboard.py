"""The transparency log's figures on the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Membership
from oretrace.ledger.models import Leaf, LogState
from oretrace.web.dashboard import Figure, figures


@figures
def ledger_figures(member: Membership) -> list[Figure]:
    state = LogState.objects.first()
    return [
        Figure(
            _("Entries in the public log"), state.size if state else 0, reverse("ledger:ledger")
        ),
        Figure(
            _("Your organisation's entries"),
            Leaf.objects.for_member(member).count(),
            reverse("ledger:ledger"),
        ),
    ]
