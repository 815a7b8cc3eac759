"""Recomputing stored scores: inputs as of a date (editions, statuses, declarations), the
replay after new editions arrive, suppliers over their declared smelters, the day's scores
replaced and other days kept, the methodology stored once, and who may recompute."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from oretrace.core.choices import Role
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import Mineral
from oretrace.core.tests.factories import MembershipFactory
from oretrace.declarations.tests.factories import (
    DeclarationFactory,
    SmelterEntryFactory,
    SupplierFactory,
)
from oretrace.registry.tests.factories import AssuranceStatusFactory, FacilityFactory
from oretrace.risk.choices import EditionKind
from oretrace.risk.exceptions import ScoreError
from oretrace.risk.models import Methodology, Score
from oretrace.risk.scores import services
from oretrace.risk.tests.factories import (
    ConflictAreaFactory,
    CountryProfileFactory,
    EditionFactory,
    GoodListingFactory,
    RedFlagFactory,
)
from oretrace.traceability.tests.factories import CustodyEdgeFactory, LotFactory

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2025, 6, 1)
NEWER = datetime.date(2026, 6, 1)
LATER = timezone.localdate()  # statuses count from the day they were recorded


@pytest.fixture
def lists():
    """A CAHRA list naming North Kivu, a List of Goods with DRC tin, a profile of DRC: 2024."""
    when = datetime.date(2024, 1, 1)
    cahra = EditionFactory.create(kind=EditionKind.CAHRA, edition_date=when)
    ConflictAreaFactory.create(edition=cahra, region_code="CD-NK", region_name="Nord-Kivu")
    goods = EditionFactory.create(kind=EditionKind.DOL_GOODS, edition_date=when)
    GoodListingFactory.create(
        edition=goods, good="Tin ore", country_id="CD", country_name="DRC", forced_labour=True
    )
    profiles = EditionFactory.create(kind=EditionKind.DOL_COUNTRIES, edition_date=when)
    CountryProfileFactory.create(edition=profiles, country_id="CD", working_children="0.15")
    return {"cahra": cahra, "goods": goods, "profiles": profiles}


@pytest.fixture
def mine(org_a):
    facility = FacilityFactory.create(
        organisation=org_a, country_id="CD", subdivision_id="CD-NK", name="Bisie"
    )
    facility.minerals.add(Mineral.objects.get(code="tin"))
    return facility


def _recompute(member, when=FIRST):
    return services.recompute_scores(member.organisation_id, as_of=when, actor=member)


def _score(facility, when=FIRST):
    return Score.objects.get(facility=facility, as_of=when)


def _by_indicator(score):
    return {c["indicator"]: c for c in score.breakdown}


def test_a_facility_is_scored_from_the_lists_in_force_with_its_evidence(member_a, lists, mine):
    done = _recompute(member_a)
    score = _score(mine)
    parts = _by_indicator(score)
    assert done.counts["facilities"] == 1
    assert parts["cahra"]["state"] == "conflict_affected"
    assert parts["cahra"]["evidence"] == [
        ["Nord-Kivu", lists["cahra"].pk, f"edition:{lists['cahra'].pk}"]
    ]
    assert parts["dol-goods"]["state"] == "forced_and_child"
    assert parts["dol-country"]["state"] == "high"
    assert parts["assurance"]["state"] == "unknown"
    assert sum(Decimal(c["value"]) for c in score.breakdown) == score.total
    assert parts["red-flags"]["state"] == "none"
    # location 100 x 30 % + labour 100 x 30 % + assurance unknown 90 x 25 % + no flag 0 x 15 %
    assert score.total == Decimal("82.50")
    assert score.editions == {
        "cahra": lists["cahra"].pk,
        "dol-countries": lists["profiles"].pk,
        "dol-goods": lists["goods"].pk,
    }
    assert score.methodology.key == "oretrace-2026.1"


def test_a_score_asked_as_of_its_date_after_new_editions_is_identical(member_a, lists, mine):
    # given a score computed on the first date
    _recompute(member_a)
    before = _score(mine)
    # when newer lists arrive (the region no longer listed, DRC tin off the List) and a
    # status is recorded, and the first date is asked again
    newer = EditionFactory.create(kind=EditionKind.CAHRA, edition_date=NEWER)
    ConflictAreaFactory.create(edition=newer, region_code="CD-IT", region_name="Ituri")
    EditionFactory.create(kind=EditionKind.DOL_GOODS, edition_date=NEWER)
    AssuranceStatusFactory.create(facility=mine, status="Conformant", effective_on=NEWER)
    _recompute(member_a)
    again = _score(mine)
    # then the replay is the same score, bit for bit, and the new date differs
    assert (again.total, again.breakdown, again.fingerprint, again.editions) == (
        before.total,
        before.breakdown,
        before.fingerprint,
        before.editions,
    )
    _recompute(member_a, LATER)
    assert _score(mine, LATER).total < before.total
    assert _by_indicator(_score(mine, LATER))["assurance"]["state"] == "conformant"


def test_without_any_list_every_source_is_unknown_never_zero(member_a, mine):
    _recompute(member_a)
    score = _score(mine)
    assert {c["state"] for c in score.breakdown if c["source"] != "red-flags"} == {"unknown"}
    assert score.total > 0
    assert score.editions == {"cahra": None, "dol-countries": None, "dol-goods": None}


def test_a_region_not_recorded_in_a_listed_country_is_its_own_state(member_a, lists, org_a):
    FacilityFactory.create(organisation=org_a, country_id="CD", name="Somewhere in DRC")
    _recompute(member_a)
    score = Score.objects.get(facility__name="Somewhere in DRC")
    assert _by_indicator(score)["cahra"]["state"] == "region_unknown"


def test_a_supplier_scores_over_its_declared_smelters_and_its_disclosure(
    member_a, org_a, lists, mine
):
    declared = DeclarationFactory.create(organisation=org_a, error_count=2)
    SmelterEntryFactory.create(declaration=declared, facility=mine, match="matched")
    silent = SupplierFactory.create(organisation=org_a, name="Silent Ltd")
    _recompute(member_a, LATER)  # declarations count from the day they were received
    supplier = Score.objects.get(supplier=declared.supplier)
    parts = _by_indicator(supplier)
    assert parts["Bisie"]["points"] == "82.50"
    assert parts["Bisie"]["evidence"] == [["Bisie", None, f"facility:{mine.pk}"]]
    assert parts["declaration"]["state"] == "incomplete"
    assert supplier.total == Decimal("59.25")  # 82.50 x 50 % + 60 x 30 % + no flag 0 x 20 %
    assert (
        _by_indicator(Score.objects.get(supplier=silent, as_of=LATER))["declaration"]["state"]
        == "undisclosed"
    )


def test_a_declaration_received_after_the_date_does_not_count(member_a, org_a):
    declared = DeclarationFactory.create(organisation=org_a)
    _recompute(member_a, datetime.date(2020, 1, 1))
    score = Score.objects.get(supplier=declared.supplier)
    assert _by_indicator(score)["declaration"]["state"] == "undisclosed"


def test_a_recompute_replaces_the_days_scores_and_keeps_other_days(member_a, mine):
    _recompute(member_a)
    _recompute(member_a)
    _recompute(member_a, LATER)
    assert Score.objects.filter(facility=mine).count() == 2
    assert Methodology.objects.count() == 1


def test_another_organisations_facilities_are_not_scored(member_a, member_b, mine):
    _recompute(member_b)
    assert not Score.objects.filter(facility=mine).exists()


def test_a_viewer_may_not_recompute(org_a, mine):
    viewer = MembershipFactory.create(organisation=org_a, roles=[Role.VIEWER])
    with pytest.raises(PermissionDenied):
        _recompute(viewer)


def test_a_changed_methodology_under_the_same_version_is_refused(member_a, mine):
    _recompute(member_a)
    Methodology.objects.update(sha256="0" * 64)
    with pytest.raises(ScoreError, match=r"changed after its version 2026\.1 was stored"):
        _recompute(member_a)


def test_an_unknown_methodology_is_refused_naming_those_shipped(member_a):
    with pytest.raises(ScoreError, match=r"the methodologies are oretrace-2026\.1"):
        services.recompute_scores(
            member_a.organisation_id, as_of=FIRST, actor=member_a, methodology="nope"
        )


def test_open_red_flags_raise_a_facilitys_and_a_suppliers_score_as_of_their_dates(
    member_a, org_a, lists, mine
):
    # given a high flag about the mine raised a year ago, a low one closed since, and a
    # medium flag about a supplier
    a_year_ago = timezone.now() - datetime.timedelta(days=365)
    high = RedFlagFactory.create(organisation=org_a, facility=mine, raised_at=a_year_ago)
    RedFlagFactory.create(
        organisation=org_a, facility=mine, severity="low", closed_at=timezone.now()
    )
    declared = DeclarationFactory.create(organisation=org_a)
    RedFlagFactory.create(organisation=org_a, supplier=declared.supplier, severity="medium")
    # when scored today and as of two years ago
    _recompute(member_a, LATER)
    _recompute(member_a, LATER - datetime.timedelta(days=730))
    # then today the mine's open high flag counts, with its link; two years ago nothing did
    flags = _by_indicator(_score(mine, LATER))["red-flags"]
    assert flags["state"] == "high"
    assert flags["evidence"] == [[f"{high.rule} (high)", None, f"flag:{high.pk}"]]
    assert flags["value"] == "15.00"
    old = _score(mine, LATER - datetime.timedelta(days=730))
    assert _by_indicator(old)["red-flags"]["state"] == "none"
    supplier = Score.objects.get(supplier=declared.supplier, as_of=LATER)
    assert _by_indicator(supplier)["red-flags"]["state"] == "medium"


def test_another_organisations_flags_do_not_count(member_a, org_b, lists, mine):
    RedFlagFactory.create(organisation=org_b, facility=mine)
    _recompute(member_a, LATER)
    assert _by_indicator(_score(mine, LATER))["red-flags"]["state"] == "none"


def test_a_product_lot_weights_its_origin_facilities_by_their_share(member_a, org_a, lists, mine):
    # given a product lot made 3/4 from ore of the mine and 1/4 from ore of a clean facility
    clean = FacilityFactory.create(organisation=org_a, country_id="DE", name="Clean")
    product = LotFactory.create(organisation=org_a)
    for origin, share in ((mine, 0.75), (clean, 0.25)):
        ore = LotFactory.create(organisation=org_a, facility=origin)
        CustodyEdgeFactory.create(organisation=org_a, source=ore, target=product, share=share)
    # when scored
    done = _recompute(member_a, LATER)
    # then the lot's score is its origins' scores weighted by their shares, each linked
    lot = Score.objects.get(lot=product)
    parts = _by_indicator(lot)
    mine_total, clean_total = _score(mine, LATER).total, _score(clean, LATER).total
    assert done.counts["lots"] == 1
    assert parts["Bisie"]["share"] == "0.7500"
    assert parts["Bisie"]["evidence"] == [["Bisie", None, f"facility:{mine.pk}"]]
    expected = (mine_total * 3 + clean_total) / 4
    assert lot.total == expected.quantize(Decimal("0.01"))
    assert sum(Decimal(c["value"]) for c in lot.breakdown) == lot.total
