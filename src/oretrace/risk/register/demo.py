"""Demo risk register of Brightline Devices (the demo's 3TG brand): a risk on one of its
suppliers managed under a Step-3 plan (mitigate, review in six months), and an open one on a
facility with no plan yet. Written through the services, as Brightline's compliance officer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from oretrace.core.demo import demo_step
from oretrace.core.models import Membership
from oretrace.core.tenancy import owned
from oretrace.declarations.models import Supplier
from oretrace.registry.models import Facility
from oretrace.risk.models import RiskEntry
from oretrace.risk.register.reviews import latest_review
from oretrace.risk.register.services import entries, plans

OFFICER = "compliance@brightline.example"


@demo_step("risk: Brightline's register and a Step-3 plan")
def build_register(say: Callable[[str], None]) -> None:
    member = (
        Membership.objects.filter(user__email=OFFICER, organisation__slug="brightline")
        .select_related("organisation", "user")
        .first()
    )
    if member is None or RiskEntry.objects.for_member(member).exists():
        return
    supplier = owned(Supplier.objects.for_member(member), member).order_by("name").first()
    facility = owned(Facility.objects.for_member(member).live(), member).order_by("name").first()
    today = timezone.localdate()
    decided = today - timedelta(days=30)
    if supplier is not None:
        managed = entries.record_risk(
            actor=member,
            title="Tin from an area on the CAHRA list",
            category="armed_groups",
            level="high",
            subject=entries.Subject(supplier=supplier),
            reason="The supplier's CMRT names a smelter that sources from a listed region.",
            identified_on=decided - timedelta(days=14),
        )
        plans.adopt_plan(
            managed,
            actor=member,
            strategy="mitigate",
            decided_on=decided,
            review_on=latest_review(decided),
            summary="Ask the supplier to move the tin to RMAP-conformant smelters.",
            measures=[
                plans.MeasureInput(
                    "Ask for the smelter's RMAP audit", member, decided + timedelta(days=60)
                )
            ],
            indicators=[
                plans.IndicatorInput("Share of tin from conformant smelters", "100", "%", "60")
            ],
        )
    if facility is not None:
        entries.record_risk(
            actor=member,
            title="No assessment of the facility's working conditions",
            category="health_safety",
            level="medium",
            subject=entries.Subject(facility=facility),
            reason="No self-assessment on file.",
        )
    say("Brightline's risk register: 2 risks, 1 Step-3 plan")
