"""Demo data of campaigns: Brightline Devices asks its 3TG suppliers for their CMRT.

Runs after the demo declarations (this module sorts after ``demo`` in the app's ``ready()``):
the CMRTs Brightline already received are recorded as its suppliers' answers, so the campaign
shows every status — accepted, received, reminded, declined — and a response rate. One
supplier with an e-mail address is left out, for "Ask more suppliers". Idempotent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from django.utils import timezone

from oretrace.core.choices import Role
from oretrace.core.demo import demo_step
from oretrace.core.models import Membership
from oretrace.declarations import services
from oretrace.declarations.models import Campaign, Declaration, Supplier
from oretrace.declarations.queries import campaigns as campaign_queries

BRAND = "brightline"
# (name, reference, e-mail, country, asked in the demo campaign)
SUPPLIERS = (
    ("Pearl River Precision Components Co., Ltd.", "BL-0007", "supplier@pearlriver.example", "CN"),
    ("Kestrel Capacitor Works Ltd.", "BL-0011", "quality@kestrel-caps.example", "TW"),
    ("Sierra Solder S.A. de C.V.", "BL-0016", "cumplimiento@sierra-solder.example", "MX"),
    ("Oder Kontakttechnik GmbH", "BL-0019", "einkauf@oder-kontakt.example", "DE"),
    ("Hsinchu Capacitor Works Ltd.", "BL-0023", "csr@hsinchu-cap.example", "TW"),
)
LATER = ("Sunda Solder Alloys Sdn. Bhd.", "BL-0031", "compliance@sunda-solder.example", "MY")
DECLINES = "Oder Kontakttechnik GmbH"


def _officer() -> Membership:
    members = (
        Membership.objects.select_related("user", "organisation")
        .filter(organisation__slug=BRAND, is_active=True)
        .order_by("pk")
    )
    return next(m for m in members if Role.COMPLIANCE_OFFICER in m.roles)


def _supplier(officer: Membership, name: str, reference: str, email: str, country: str):
    found = Supplier.objects.filter(organisation=officer.organisation, name=name).first()
    if found is None:
        return services.create_supplier(
            actor=officer, name=name, reference=reference, email=email, country=country
        )
    if not found.email:  # created by an import, which knows no address
        return services.update_supplier(
            found, actor=officer, email=email, reference=reference, country=country
        )
    return found


@demo_step("declarations: a supplier campaign")
def build_campaign(say: Callable[[str], None]) -> None:
    officer = _officer()
    if Campaign.objects.filter(organisation=officer.organisation).exists():
        return
    received = Declaration.objects.filter(
        organisation=officer.organisation, family="CMRT", superseded_by__isnull=True
    )
    years = Counter(d.reporting_year for d in received if d.reporting_year)
    year = years.most_common(1)[0][0] if years else timezone.now().year
    asked = [_supplier(officer, *spec) for spec in SUPPLIERS]
    _supplier(officer, *LATER)
    campaign = services.create_campaign(
        actor=officer,
        name=f"CMRT {year} supplier survey",
        family="CMRT",
        reporting_year=year,
        message="Please send your CMRT 6.5 covering all products you deliver to Brightline.",
        suppliers=asked,
    )
    # The files that came in before the campaign count as the suppliers' answers.
    for declaration in received.filter(reporting_year=year):
        request = campaign.requests.filter(supplier_id=declaration.supplier_id).first()
        if request is not None:
            services.attach_declaration(request, declaration=declaration, actor=officer)
    services.send_reminders(campaign, actor=officer)
    declines = campaign.requests.get(supplier__name=DECLINES)
    services.decline(declines, reason="Our connectors contain no tin, tantalum, tungsten or gold.")
    rate = campaign_queries.response_rate(campaign)
    say(
        f"1 CMRT campaign of {officer.organisation}: {rate.responded} of {rate.requested} "
        "suppliers answered with a declaration"
    )
