"""The assessments' figures on the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oretrace.assessments.models import OPEN_STATUSES, Assessment
from oretrace.core.models import Membership
from oretrace.core.tenancy import owned
from oretrace.web.dashboard import Figure, figures


@figures
def assessment_figures(member: Membership) -> list[Figure]:
    visible = Assessment.objects.for_member(member)
    return [
        Figure(
            _("Assessments to answer"),
            visible.filter(supplier_id=member.organisation_id, status__in=OPEN_STATUSES).count(),
            reverse("assessments:list"),
        ),
        Figure(
            _("Assessments to review"),
            owned(visible, member).filter(status="submitted").count(),
            reverse("assessments:list"),
        ),
    ]
