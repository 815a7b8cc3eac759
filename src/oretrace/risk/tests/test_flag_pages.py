"""The red-flag pages, downloads and API: an organisation reads its own flags (open, closed,
by rule, by subject), one flag with its rule, evidence and edition, its open flags on the
facility page and the supplier list; another organisation's member sees none of them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from oretrace.declarations.tests.factories import DeclarationFactory, SupplierFactory
from oretrace.registry.tests.factories import FacilityFactory
from oretrace.risk.tests.factories import EditionFactory, RedFlagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flags_of_a(org_a):
    """An open flag about a smelter and a supplier, citing an edition, and a closed one."""
    smelter = FacilityFactory.create(organisation=org_a, kind="smelter", name="Andes Gold")
    supplier = SupplierFactory.create(organisation=org_a, name="Pearl Supplies")
    declaration = DeclarationFactory.create(organisation=org_a, supplier=supplier)
    edition = EditionFactory.create(kind="cahra", label="Areas of 2026")
    open_flag = RedFlagFactory.create(
        organisation=org_a,
        rule="smelter-not-conformant",
        facility=smelter,
        supplier=supplier,
        evidence_kind="declaration",
        evidence_id=declaration.pk,
        evidence_label="pearl.xlsx, Smelter List row 8: Andes Gold",
        params={"evidence": "pearl.xlsx", "facility": "Andes Gold", "status": "Non-conformant"},
    )
    closed_flag = RedFlagFactory.create(
        organisation=org_a,
        rule="cahra-origin",
        severity="high",
        edition=edition,
        country_id="CD",
        evidence_kind="declaration",
        evidence_id=declaration.pk,
        evidence_label="pearl.xlsx, Smelter List row 9: Kivu",
        params={
            "evidence": "pearl.xlsx",
            "place": "Congo, The Democratic Republic of the (CD)",
            "area": "Congo, The Democratic Republic of the (CD)",
            "status": "some regions listed, region not known",
        },
        raised_at=timezone.now() - datetime.timedelta(days=30),
        closed_at=timezone.now(),
        closed_reason="edition",
    )
    return open_flag, closed_flag


def test_the_list_shows_open_flags_by_default_and_closed_ones_when_asked(web_a, flags_of_a):
    open_flag, closed_flag = flags_of_a
    page = web_a.get("/risk/flags/").content.decode()
    assert f"/risk/flags/{open_flag.pk}/" in page
    assert "Smelter or refiner not conformant" in page
    assert "Non-conformant" in page
    assert f"/risk/flags/{closed_flag.pk}/" not in page
    closed = web_a.get("/risk/flags/?state=closed").content.decode()
    assert f"/risk/flags/{closed_flag.pk}/" in closed
    assert f"/risk/flags/{open_flag.pk}/" not in closed
    both = web_a.get("/risk/flags/?state=all&rule=cahra-origin").content.decode()
    assert f"/risk/flags/{closed_flag.pk}/" in both
    assert f"/risk/flags/{open_flag.pk}/" not in both


def test_the_list_filters_by_subject(web_a, flags_of_a):
    open_flag, _closed = flags_of_a
    by_facility = web_a.get(f"/risk/flags/?facility={open_flag.facility_id}").content.decode()
    assert f"/risk/flags/{open_flag.pk}/" in by_facility
    other = web_a.get(f"/risk/flags/?supplier={open_flag.supplier_id + 1000}").content.decode()
    assert f"/risk/flags/{open_flag.pk}/" not in other


def test_a_bad_filter_is_a_clear_error_not_a_500(web_a, flags_of_a):
    response = web_a.get("/risk/flags/?rule=no-such-rule&facility=abc")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Select a valid choice" in text
    assert "Enter a whole number" in text


def test_a_flag_page_gives_its_rule_evidence_and_edition(web_a, flags_of_a):
    _open, closed_flag = flags_of_a
    page = web_a.get(f"/risk/flags/{closed_flag.pk}/").content.decode()
    assert "Origin in a conflict-affected or high-risk area" in page
    assert "OECD Due Diligence Guidance" in page
    assert f"/declarations/{closed_flag.evidence_id}/" in page  # the evidence's page
    assert f"/risk/{closed_flag.edition_id}/" in page  # the edition that raised it
    assert "a risk-data edition was imported" in page  # why it was closed
    assert "some of its regions are listed; the region is not known" in page


def test_the_page_speaks_the_reader_s_language(web_a, flags_of_a):
    open_flag, _closed = flags_of_a
    page = web_a.get(f"/risk/flags/{open_flag.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Fonderie ou affinerie non conforme" in page
    assert "pearl.xlsx, Smelter List ligne 8 : Andes Gold" in page  # the evidence, translated
    _open, closed_flag = flags_of_a
    closed = web_a.get(f"/risk/flags/{closed_flag.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content
    assert "République démocratique du Congo (CD)" in closed.decode()  # the country too


def test_the_list_downloads_as_csv_and_xlsx(web_a, flags_of_a):
    response = web_a.get("/risk/flags/?state=all&export=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert text.lstrip("\ufeff").startswith("Rule,Red flag,Severity")
    assert "smelter-not-conformant" in text
    assert "cahra-origin" in text
    xlsx = web_a.get("/risk/flags/?export=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_facility_page_and_supplier_list_show_open_flags(web_a, flags_of_a):
    open_flag, _closed = flags_of_a
    facility = web_a.get(f"/facilities/{open_flag.facility_id}/").content.decode()
    assert f"/risk/flags/{open_flag.pk}/" in facility
    suppliers = web_a.get("/declarations/suppliers/").content.decode()
    assert f"/risk/flags/?supplier={open_flag.supplier_id}" in suppliers


def test_another_organisation_sees_none_of_them(web_b, api_b, flags_of_a):
    open_flag, closed_flag = flags_of_a
    page = web_b.get("/risk/flags/?state=all").content.decode()
    assert f"/risk/flags/{open_flag.pk}/" not in page
    assert f"/risk/flags/{closed_flag.pk}/" not in page
    assert web_b.get(f"/risk/flags/{open_flag.pk}/").status_code == 404
    assert api_b.get("/api/v1/risk/flags?state=").json()["items"] == []
    assert api_b.get(f"/api/v1/risk/flags/{open_flag.pk}").status_code == 404


def test_the_api_lists_and_reads_flags(api_a, flags_of_a):
    open_flag, closed_flag = flags_of_a
    listed = api_a.get("/api/v1/risk/flags").json()
    assert [f["id"] for f in listed["items"]] == [open_flag.pk]
    closed = api_a.get("/api/v1/risk/flags?state=closed").json()["items"]
    assert [f["id"] for f in closed] == [closed_flag.pk]
    detail = api_a.get(f"/api/v1/risk/flags/{closed_flag.pk}").json()
    assert detail["rule"] == "cahra-origin"
    assert detail["open"] is False
    assert detail["closed_reason"] == ["edition"]
    assert detail["edition_id"] == closed_flag.edition_id
    assert detail["evidence"]["url"] == f"/declarations/{closed_flag.evidence_id}/"
    assert detail["title"] == "Origin in a conflict-affected or high-risk area"
    assert api_a.get("/api/v1/risk/flags?facility=abc").status_code in (400, 422)
    bad_rule = api_a.get("/api/v1/risk/flags?rule=no-such-rule")
    assert bad_rule.status_code in (400, 422)
    assert "unknown rule 'no-such-rule'" in bad_rule.content.decode()
    assert api_a.get("/api/v1/risk/flags?state=shut").status_code in (400, 422)


def test_a_compliance_officer_may_ask_for_a_recomputation_a_viewer_may_not(org_a):
    from oretrace.core.choices import Role
    from oretrace.core.models import Job
    from oretrace.core.tests.factories import MembershipFactory
    from oretrace.core.tests.fixtures import web_client
    from oretrace.risk.redflags.services import RECOMPUTE_JOB

    officer = MembershipFactory.create(organisation=org_a, roles=[Role.COMPLIANCE_OFFICER])
    viewer = MembershipFactory.create(organisation=org_a, roles=[Role.VIEWER])
    page = web_client(officer).get("/risk/flags/").content.decode()
    assert "Recompute now" in page
    assert "Recompute now" not in web_client(viewer).get("/risk/flags/").content.decode()
    refused = web_client(viewer).post("/jobs/start/", {"kind": RECOMPUTE_JOB})
    assert refused.status_code == 403
    assert not Job.objects.filter(kind=RECOMPUTE_JOB).exists()
    started = web_client(officer).post("/jobs/start/", {"kind": RECOMPUTE_JOB})
    assert started.status_code == 302
    job = Job.objects.get(kind=RECOMPUTE_JOB)
    assert job.organisation == org_a
    assert job.created_by == officer.user
