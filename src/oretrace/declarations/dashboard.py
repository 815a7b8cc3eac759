"""The declarations' figures on the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Membership
from oretrace.declarations.choices import DeclarationStatus
from oretrace.declarations.models import Declaration
from oretrace.web.dashboard import Figure, figures


@figures
def declaration_figures(member: Membership) -> list[Figure]:
    current = Declaration.objects.for_member(member).filter(superseded_by__isnull=True)
    url = reverse("declarations:list")
    return [
        Figure(_("Current supplier declarations"), current.count(), url),
        Figure(
            _("Declarations to review"),
            current.filter(status=DeclarationStatus.RECEIVED).count(),
            url + "?status=received",
        ),
        Figure(
            _("Declarations with red flags"),
            current.filter(flag_count__gt=0).count(),
            url + "?flagged=1",
        ),
    ]
