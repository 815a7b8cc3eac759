"""factory_boy factories for the risk app (tests only)."""

import datetime
from decimal import Decimal

import factory

from oretrace.risk.choices import EditionKind
from oretrace.risk.models import (
    ConflictArea,
    CountryCode,
    CountryProfile,
    Edition,
    Escalation,
    GoodListing,
    Indicator,
    Measure,
    Methodology,
    PlanDecision,
    RedFlag,
    RiskEntry,
    RiskPlan,
    RiskStatusChange,
    Score,
)


class EditionFactory(factory.django.DjangoModelFactory[Edition]):
    class Meta:
        model = Edition

    kind = EditionKind.DOL_GOODS
    publisher = "Test publisher"
    label = factory.Sequence(lambda n: f"Test edition {n}")
    edition_date = datetime.date(2024, 1, 1)
    retrieved_on = datetime.date(2024, 2, 1)
    filename = factory.Sequence(lambda n: f"edition-{n}.xml")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    counts = factory.LazyFunction(lambda: {"rows": 0})


class GoodListingFactory(factory.django.DjangoModelFactory[GoodListing]):
    class Meta:
        model = GoodListing

    edition = factory.SubFactory(EditionFactory)
    good = factory.Sequence(lambda n: f"Good {n}")
    sector = "Mining"
    country_name = "Madagascar"
    country_id = "MG"
    region = "Sub-Saharan Africa"
    child_labour = True
    forced_labour = False
    forced_child_labour = False
    key = factory.LazyAttribute(lambda row: f"{row.good} / {row.country_name}")


class CountryProfileFactory(factory.django.DjangoModelFactory[CountryProfile]):
    class Meta:
        model = CountryProfile

    edition = factory.SubFactory(EditionFactory, kind=EditionKind.DOL_COUNTRIES)
    country_name = factory.Sequence(lambda n: f"Country {n}")
    region = "Indo-Pacific"
    advancement = "Moderate Advancement"
    working_children = None
    key = factory.LazyAttribute(lambda row: row.country_name)


class ConflictAreaFactory(factory.django.DjangoModelFactory[ConflictArea]):
    class Meta:
        model = ConflictArea

    edition = factory.SubFactory(EditionFactory, kind=EditionKind.CAHRA)
    country_code = "CD"
    country_name = "Congo, Democratic Republic of the"
    region_code = factory.Sequence(lambda n: f"CD-{n % 1000:03d}")
    region_name = factory.Sequence(lambda n: f"Region {n}")
    conflict_affected = True
    high_risk = False
    whole_country = False
    key = factory.LazyAttribute(lambda row: row.region_code)


class CountryCodeFactory(factory.django.DjangoModelFactory[CountryCode]):
    class Meta:
        model = CountryCode

    edition = factory.SubFactory(EditionFactory, kind=EditionKind.ISO3166)
    alpha2 = factory.Sequence(lambda n: f"{chr(65 + n % 26)}{chr(65 + n // 26 % 26)}")
    alpha3 = factory.LazyAttribute(lambda row: f"{row.alpha2}X")
    numeric = "999"
    name = factory.Sequence(lambda n: f"Country {n}")
    key = factory.LazyAttribute(lambda row: row.alpha2)


class RedFlagFactory(factory.django.DjangoModelFactory[RedFlag]):
    class Meta:
        model = RedFlag

    organisation = factory.SubFactory("oretrace.core.tests.factories.OrganisationFactory")
    rule = "smelter-not-conformant"
    key = factory.Sequence(lambda n: f"smelter-not-conformant|smelter-entry:{n}")
    severity = "high"
    evidence_kind = "smelter-entry"
    evidence_id = factory.Sequence(lambda n: n + 1)
    evidence_label = factory.Sequence(lambda n: f"cmrt-{n}.xlsx, Smelter List row 5: Test smelter")
    params = factory.LazyFunction(
        lambda: {"evidence": "cmrt.xlsx", "facility": "Test smelter", "status": "Non-conformant"}
    )


# --- the risk register and Step-3 plans ---


class RiskEntryFactory(factory.django.DjangoModelFactory[RiskEntry]):
    class Meta:
        model = RiskEntry

    organisation = factory.SubFactory("oretrace.core.tests.factories.OrganisationFactory")
    supplier = factory.SubFactory(
        "oretrace.declarations.tests.factories.SupplierFactory",
        organisation=factory.SelfAttribute("..organisation"),
    )
    title = factory.Sequence(lambda n: f"Risk {n}")
    category = "child_labour"
    origin = "manual"
    reason = "Seen on a visit"
    identified_on = datetime.date(2026, 11, 1)


class RiskStatusChangeFactory(factory.django.DjangoModelFactory[RiskStatusChange]):
    class Meta:
        model = RiskStatusChange

    entry = factory.SubFactory(RiskEntryFactory)
    status = "open"
    changed_on = datetime.date(2026, 11, 1)


class RiskPlanFactory(factory.django.DjangoModelFactory[RiskPlan]):
    class Meta:
        model = RiskPlan
        skip_postgeneration_save = True

    entry = factory.SubFactory(RiskEntryFactory)
    organisation = factory.SelfAttribute("entry.organisation")
    strategy = "mitigate"
    decided_on = datetime.date(2026, 12, 6)
    review_on = datetime.date(2027, 6, 6)


class MeasureFactory(factory.django.DjangoModelFactory[Measure]):
    class Meta:
        model = Measure

    plan = factory.SubFactory(RiskPlanFactory)
    what = "Visit the collection points"
    owner = factory.SubFactory(
        "oretrace.core.tests.factories.MembershipFactory",
        organisation=factory.SelfAttribute("..plan.organisation"),
    )
    due_on = datetime.date(2027, 1, 31)


class IndicatorFactory(factory.django.DjangoModelFactory[Indicator]):
    class Meta:
        model = Indicator

    plan = factory.SubFactory(RiskPlanFactory)
    what = "Children found at work"
    target = 0


class PlanDecisionFactory(factory.django.DjangoModelFactory[PlanDecision]):
    class Meta:
        model = PlanDecision

    plan = factory.SubFactory(RiskPlanFactory)
    kind = "adopted"  # the plan as it stands: its strategy, its date, its next review
    strategy = factory.SelfAttribute("plan.strategy")
    decided_on = factory.SelfAttribute("plan.decided_on")
    next_review_on = factory.SelfAttribute("plan.review_on")


class EscalationFactory(factory.django.DjangoModelFactory[Escalation]):
    class Meta:
        model = Escalation

    plan = factory.SubFactory(RiskPlanFactory)
    escalated_to = "Chief operating officer"
    escalated_on = datetime.date(2027, 1, 5)
    decision = "Suspend if no progress by March"


class MethodologyFactory(factory.django.DjangoModelFactory[Methodology]):
    class Meta:
        model = Methodology

    code = "test"
    version = factory.Sequence(lambda n: f"0.{n}")
    title = "Test methodology"
    filename = factory.LazyAttribute(lambda m: f"{m.code}-{m.version}.yaml")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    text = "format: 1\n"
    spec = factory.LazyFunction(lambda: {"levels": [{"code": "low", "at_least": "0"}]})


class ScoreFactory(factory.django.DjangoModelFactory[Score]):
    class Meta:
        model = Score

    organisation = factory.SubFactory("oretrace.core.tests.factories.OrganisationFactory")
    subject = "facility"
    facility = factory.SubFactory(
        "oretrace.registry.tests.factories.FacilityFactory",
        organisation=factory.SelfAttribute("..organisation"),
    )
    as_of = datetime.date(2026, 1, 1)
    methodology = factory.SubFactory(MethodologyFactory)
    total = Decimal("50.00")
    level = "high"
    breakdown = factory.LazyFunction(list)
    fingerprint = factory.Sequence(lambda n: f"{n:064x}")
