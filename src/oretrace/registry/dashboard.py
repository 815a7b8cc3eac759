"""The registry's figures on the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Membership
from oretrace.core.tenancy import owned
from oretrace.registry.models import Facility, MatchReview
from oretrace.web.dashboard import Figure, figures


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
