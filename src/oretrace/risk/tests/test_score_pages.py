"""Score pages: the list with its downloads and the recompute job, a facility's and a
supplier's score with the trend and the "why", and another organisation's scores unseen."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from oretrace.core.choices import Role
from oretrace.core.models import Job, Mineral
from oretrace.core.tests.factories import MembershipFactory
from oretrace.core.tests.fixtures import web_client
from oretrace.declarations.tests.factories import DeclarationFactory, SmelterEntryFactory
from oretrace.registry.tests.factories import AssuranceStatusFactory, FacilityFactory
from oretrace.risk.choices import EditionKind
from oretrace.risk.scores import services
from oretrace.risk.tests.factories import ConflictAreaFactory, EditionFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAYS = (TODAY - datetime.timedelta(days=60), TODAY)  # declarations count from their receipt


@pytest.fixture
def scored(member_a, org_a):
    """A mine in North Kivu declared by a supplier of A, scored on two dates."""
    cahra = EditionFactory.create(kind=EditionKind.CAHRA, edition_date=datetime.date(2024, 1, 1))
    ConflictAreaFactory.create(edition=cahra, region_code="CD-NK", region_name="Nord-Kivu")
    mine = FacilityFactory.create(
        organisation=org_a, country_id="CD", subdivision_id="CD-NK", name="Bisie"
    )
    mine.minerals.add(Mineral.objects.get(code="tin"))
    declared = DeclarationFactory.create(organisation=org_a)
    SmelterEntryFactory.create(declaration=declared, facility=mine, match="matched")
    for day in DAYS:
        services.recompute_scores(org_a.pk, as_of=day, actor=member_a)
    return {"mine": mine, "supplier": declared.supplier, "cahra": cahra}


def test_a_facility_page_shows_its_score_trend_and_why(web_a, scored):
    page = web_a.get(reverse("risk:facility_score", args=[scored["mine"].pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<polyline" in html  # the trend over the two dates
    assert "conflict-affected area" in html
    assert "Nord-Kivu" in html
    assert reverse("risk:edition", args=[scored["cahra"].pk]) in html
    assert f"{TODAY:%Y-%m-%d}" in html


def test_a_supplier_page_links_its_smelters_scores(web_a, scored):
    page = web_a.get(reverse("risk:supplier_score", args=[scored["supplier"].pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("risk:facility_score", args=[scored["mine"].pk]) in html
    assert "Bisie" in html


def test_the_why_page_sums_to_its_total(web_a, scored):
    score = scored["mine"].risk_scores.order_by("-as_of").first()
    page = web_a.get(reverse("risk:score", args=[score.pk]))
    assert page.status_code == 200
    assert f"add up to {score.total}" in page.content.decode()


def test_the_list_shows_the_latest_day_and_downloads_it(web_a, scored):
    page = web_a.get(reverse("risk:scores"))
    assert page.status_code == 200
    assert "Bisie" in page.content.decode()
    csv = web_a.get(reverse("risk:scores") + "?export=csv")
    text = b"".join(csv.streaming_content).decode()
    assert "Bisie" in text
    assert f"{DAYS[1]:%Y-%m-%d}" in text
    assert f"{DAYS[0]:%Y-%m-%d}" not in text
    xlsx = web_a.get(reverse("risk:scores") + "?export=xlsx&subject=supplier")
    assert xlsx.status_code == 200


def test_an_officer_starts_a_recompute_job(web_a, member_a):
    page = web_a.post(reverse("risk:scores"), {"as_of": "2026-02-01"})
    job = Job.objects.get(kind=services.SCORE_RECOMPUTE)
    assert page.status_code == 302
    assert job.params == {"as_of": "2026-02-01"}


def test_a_viewer_may_read_scores_but_not_recompute(org_a, scored):
    client = web_client(MembershipFactory.create(organisation=org_a, roles=[Role.VIEWER]))
    assert client.get(reverse("risk:facility_score", args=[scored["mine"].pk])).status_code == 200
    assert client.post(reverse("risk:scores"), {"as_of": "2026-02-01"}).status_code == 403


def test_another_organisation_sees_none_of_them(web_b, scored):
    score = scored["mine"].risk_scores.first()
    assert web_b.get(reverse("risk:score", args=[score.pk])).status_code == 404
    assert web_b.get(reverse("risk:facility_score", args=[scored["mine"].pk])).status_code == 404
    assert (
        web_b.get(reverse("risk:supplier_score", args=[scored["supplier"].pk])).status_code == 404
    )
    assert "Bisie" not in web_b.get(reverse("risk:scores")).content.decode()


def test_the_facility_page_shows_its_latest_score(web_a, scored):
    latest = scored["mine"].risk_scores.order_by("-as_of").first()
    page = web_a.get(reverse("registry:facility", args=[scored["mine"].pk])).content.decode()
    assert reverse("risk:facility_score", args=[scored["mine"].pk]) in page
    assert f'<span class="score level-{latest.level}">{latest.total}</span>' in page


def test_the_why_downloads_as_csv_with_its_evidence(web_a, scored):
    score = scored["mine"].risk_scores.order_by("-as_of").first()
    csv = web_a.get(reverse("risk:score", args=[score.pk]) + "?export=csv")
    text = b"".join(csv.streaming_content).decode()
    assert "Contribution" in text.splitlines()[0]
    assert "Nord-Kivu (Test edition" in text
    page = web_a.get(reverse("risk:facility_score", args=[scored["mine"].pk]) + "?export=xlsx")
    assert page.status_code == 200


def test_an_assurance_status_links_to_its_facilitys_registry_page(web_a, scored, member_a):
    AssuranceStatusFactory.create(facility=scored["mine"], status="Active")
    services.recompute_scores(scored["mine"].organisation_id, as_of=TODAY, actor=member_a)
    page = web_a.get(reverse("risk:facility_score", args=[scored["mine"].pk])).content.decode()
    assert f'href="{reverse("registry:facility", args=[scored["mine"].pk])}">rmap: Active' in page
