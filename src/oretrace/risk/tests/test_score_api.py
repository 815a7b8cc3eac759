"""The scores API: the latest scores, one subject's trend, one score with its breakdown, and
another organisation's scores unseen (404)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oretrace.registry.tests.factories import FacilityFactory
from oretrace.risk.models import Score
from oretrace.risk.scores import services
from oretrace.risk.tests.test_score_pages import DAYS

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(org_a, member_a):
    facility = FacilityFactory.create(organisation=org_a, country_id="CD", name="Bisie")
    for day in DAYS:
        services.recompute_scores(org_a.pk, as_of=day, actor=member_a)
    return facility


def test_the_list_gives_each_subjects_latest_score(api_a, mine):
    body = api_a.get("/api/v1/risk/scores").json()
    assert [(s["subject"], s["subject_id"], s["as_of"]) for s in body["items"]] == [
        ("facility", mine.pk, f"{DAYS[1]:%Y-%m-%d}")
    ]
    assert body["items"][0]["methodology"] == "oretrace-2026.1"


def test_one_facilitys_scores_are_its_trend(api_a, mine):
    body = api_a.get(f"/api/v1/risk/scores?facility_id={mine.pk}").json()
    assert [s["as_of"] for s in body["items"]] == [f"{d:%Y-%m-%d}" for d in reversed(DAYS)]


def test_one_score_has_a_breakdown_that_sums_to_it(api_a, mine):
    score = Score.objects.filter(facility=mine).latest("as_of")
    body = api_a.get(f"/api/v1/risk/scores/{score.pk}").json()
    assert sum(Decimal(c["value"]) for c in body["breakdown"]) == Decimal(body["total"])
    assert {c["source"] for c in body["breakdown"]} >= {"cahra", "assurance"}


def test_another_organisation_gets_404_and_an_empty_list(api_b, mine):
    score = Score.objects.filter(facility=mine).latest("as_of")
    assert api_b.get(f"/api/v1/risk/scores/{score.pk}").status_code == 404
    assert api_b.get("/api/v1/risk/scores").json()["items"] == []
    assert api_b.get(f"/api/v1/risk/scores?facility_id={mine.pk}").json()["items"] == []
