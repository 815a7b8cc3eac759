"""The declarations' figures on the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Membership
from oretrace.declarations.choices import RESPONDED, CampaignStatus, DeclarationStatus
from oretrace.declarations.models import Campaign, CampaignRequest, Declaration
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


@figures
def campaign_figures(member: Membership) -> list[Figure]:
    open_campaigns = Campaign.objects.for_member(member).filter(status=CampaignStatus.OPEN)
    requests = CampaignRequest.objects.for_member(member).filter(campaign__in=open_campaigns)
    asked = requests.count()
    if not asked:
        return []
    answered = requests.filter(status__in=RESPONDED).count()
    return [
        Figure(
            _("Supplier response rate (open campaigns)"),
            f"{answered * 100 // asked} % ({answered}/{asked})",
            reverse("declarations:campaigns"),
        )
    ]
