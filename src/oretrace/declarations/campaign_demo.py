"""Demo data of campaigns: Brightline Devices asks its 3TG suppliers for their CMRT.

Idempotent: nothing changes when the campaign already exists. The suppliers end in different
statuses (reminded, declined, requested). Received and accepted need a filled template, which
the demo does not ship; import one through a link to see them.
"""

from __future__ import annotations

from collections.abc import Callable

from oretrace.core.choices import Role
from oretrace.core.demo import demo_step
from oretrace.core.models import Membership
from oretrace.declarations import campaigns, services
from oretrace.declarations.models import Campaign, Supplier

BRAND = "brightline"
NAME = "CMRT 2025 supplier survey"
SUPPLIERS = (
    ("Pearl River Precision Components Co., Ltd.", "BL-0007", "supplier@pearlriver.example", "CN"),
    ("Sunda Solder Alloys Sdn. Bhd.", "BL-0012", "compliance@sunda-solder.example", "MY"),
    ("Oder Kontakttechnik GmbH", "BL-0019", "einkauf@oder-kontakt.example", "DE"),
    ("Hsinchu Capacitor Works Ltd.", "BL-0023", "csr@hsinchu-cap.example", "TW"),
)


def _officer() -> Membership:
    members = (
        Membership.objects.select_related("user", "organisation")
        .filter(organisation__slug=BRAND, is_active=True)
        .order_by("pk")
    )
    return next(m for m in members if Role.COMPLIANCE_OFFICER in m.roles)


@demo_step("declarations: a supplier campaign")
def build_campaign(say: Callable[[str], None]) -> None:
    officer = _officer()
    if Campaign.objects.filter(organisation=officer.organisation, name=NAME).exists():
        return
    suppliers = []
    for name, reference, email, country in SUPPLIERS:
        supplier = Supplier.objects.filter(organisation=officer.organisation, name=name).first()
        suppliers.append(
            supplier
            or services.create_supplier(
                actor=officer, name=name, reference=reference, email=email, country=country
            )
        )
    campaign = campaigns.create_campaign(
        actor=officer,
        name=NAME,
        family="CMRT",
        reporting_year=2025,
        message="Please send your CMRT 6.5 covering all products you deliver to Brightline.",
        suppliers=suppliers[:3],
    )
    campaigns.send_reminders(campaign, actor=officer)
    campaigns.add_suppliers(campaign, suppliers=suppliers[3:], actor=officer)
    oder = campaign.requests.get(supplier=suppliers[2])
    campaigns.decline(oder, reason="Our connectors contain no tin, tantalum, tungsten or gold.")
    say(f"1 CMRT campaign of {officer.organisation} asking {len(suppliers)} suppliers")
