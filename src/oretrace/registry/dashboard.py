"""The registry's figures on the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Membership
from oretrace.core.tenancy import owned
from oretrace.registry.models import Facility, MatchReview
from oretrace.registry.permissions import can_load_reference_lists
from oretrace.registry.queries import registry_is_empty
from oretrace.web.dashboard import Figure, Notice, figures, notices


@figures
def registry_figures(member: Membership) -> list[Figure]:
    visible = Facility.objects.for_member(member).live()
    return [
        Figure(
            _("Facilities you recorded"),
            owned(visible, member).count(),
            reverse("registry:facilities") + "?reference=0",
        ),
        Figure(
            _("Reference smelters and refiners"),
            visible.filter(organisation__isnull=True).count(),
            reverse("registry:facilities") + "?reference=1",
        ),
        Figure(
            _("Names waiting for review"),
            MatchReview.objects.for_member(member).filter(status="open").count(),
            reverse("registry:reviews"),
        ),
    ]


@notices
def empty_registry(member: Membership) -> list[Notice]:
    """Warn that CMRTs imported now would all wait in the review queue, and how to avoid it."""
    if not registry_is_empty(member):
        return []
    return [
        Notice(
            "registry/_empty_registry.html",
            {"may_load_lists": can_load_reference_lists(member)},
        )
    ]
