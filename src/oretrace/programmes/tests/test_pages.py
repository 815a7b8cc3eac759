"""The programme pages: tenancy, setting up, visits, cases for case workers only, the
indicator download; a donor and a buyer never see a child."""

from datetime import timedelta
from decimal import Decimal

import pytest

from oretrace.core.tests.downloads import csv_rows, xlsx_rows
from oretrace.core.tests.factories import MembershipFactory
from oretrace.core.tests.fixtures import web_client
from oretrace.core.tests.harness import Page, PageTenancy, page_tenancy_tests
from oretrace.programmes.models import CaseRead, ChildCase, MonitoringVisit, Programme, Village
from oretrace.programmes.services import monitoring
from oretrace.programmes.urls import urlpatterns

pytestmark = pytest.mark.django_db

PAGES = PageTenancy(
    urlpatterns,
    "programmes",
    cross_org={
        "programme": [
            Page(["programme"]),
            Page(
                ["programme"],
                {
                    "do": "period",
                    "period-label": "Q1",
                    "period-starts_on": "2026-01-01",
                    "period-ends_on": "2026-03-31",
                },
            ),
        ],
        "indicators": [Page(["programme"])],
        "cases": [Page(["programme"])],
        "village": [
            Page(["village"]),
            Page(
                ["village"],
                {
                    "do": "visit",
                    "visit-visited_on": "2026-01-01",
                    "visit-value_school_enrolment": "80",
                },
            ),
        ],
        "case": [Page(["case"]), Page(["case"], {"do": "assess", "assess-on": "2026-01-01"})],
        "offers": [Page(["programme"])],
        "reports": [Page(["programme"]), Page(["programme"], {"period": "1"})],
        # the field forms a phone keeps (test_offline.py)
        "field_visit": [
            Page(["village"]),
            Page(["village"], {"visited_on": "2026-01-01", "value_school_enrolment": "80"}),
        ],
        "field_follow_up": [Page(["case"]), Page(["case"], {"done_on": "2026-01-01"})],
    },
    elsewhere={
        "lot": "a buyer's lot and the programmes on its trace: test_buyer.py",
        "offer": "an offer seen by the programme and the buyer only: test_buyer.py",
        "report": "a donor report read by the programme and its donors only: test_buyer.py",
        "licence": "test_licences.py: another organisation, and a buyer the site is shared with",
        "licence_document": "test_licences.py: another organisation, and a buyer",
        "formalisation": "test_licences.py: another organisation gets 404",
        "training": "test_training.py: another organisation, and a supplier it was not offered to",
        "training_join": "test_training.py: a session not offered on the action or finding",
        "training_material": "test_training.py: another organisation gets 404",
        "training_indicators": "test_training.py: another organisation gets 404",
    },
)
test_every_object_page_is_covered, test_other_organisation_gets_404_on_page = page_tenancy_tests(
    PAGES
)


def test_starting_a_programme_and_adding_a_village(web_a):
    response = web_a.post(
        "/programmes/new/",
        {
            "name": "Koderma villages",
            "starts_on": "2026-01-01",
            "indicator_set": "child-labour-free-village",
            "areas": ["education"],
        },
    )
    programme = Programme.objects.get(name="Koderma villages")
    assert response.status_code == 302
    response = web_a.post(
        f"/programmes/{programme.pk}/",
        {
            "do": "village",
            "village-name": "Tisri",
            "village-country": "IN",
            "village-district": "Giridih",
        },
    )
    assert response.status_code == 302
    assert Village.objects.get(programme=programme).name == "Tisri"
    page = web_a.get(f"/programmes/{programme.pk}/").content.decode()
    assert "Education and awareness raising" in page
    assert "Tisri" in page


def test_a_bad_date_range_shows_on_the_form(web_a, programme):
    response = web_a.post(
        f"/programmes/{programme.pk}/",
        {
            "do": "period",
            "period-label": "Q1",
            "period-starts_on": "2026-03-01",
            "period-ends_on": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "cannot end before it starts" in response.content.decode()


def test_recording_a_visit_draws_the_trend(web_a, village, today):
    for days, value in ((30, "60"), (0, "75")):
        response = web_a.post(
            f"/programmes/villages/{village.pk}/",
            {
                "do": "visit",
                "visit-visited_on": (today - timedelta(days=days)).isoformat(),
                "visit-value_school_enrolment": value,
                "visit-evidence": "register",
            },
        )
        assert response.status_code == 302
    assert MonitoringVisit.objects.filter(village=village).count() == 2
    page = web_a.get(f"/programmes/villages/{village.pk}/").content.decode()
    assert "<polyline" in page
    assert "Children aged 6–14 enrolled in school" in page  # noqa: RUF001


def test_a_visit_page_in_hindi_shows_the_set_in_hindi(web_a, village, member_a, today):
    monitoring.record_visit(
        village, actor=member_a, visited_on=today, values={"health_camp": Decimal(40)}
    )
    page = web_a.get(f"/programmes/villages/{village.pk}/", HTTP_ACCEPT_LANGUAGE="hi").content
    assert "स्वास्थ्य शिविर से लाभान्वित परिवार" in page.decode()


def test_the_case_worker_opens_a_case_and_the_page_is_logged(web_a, village, programme, today):
    response = web_a.post(
        f"/programmes/{programme.pk}/cases/",
        {
            "name": "Meena",
            "village": str(village.pk),
            "age_band": "12-14",
            "source": "school",
            "identified_on": today.isoformat(),
            "found_working": "on",
            "consent_by": "guardian",
            "consent_on": today.isoformat(),
        },
    )
    case = ChildCase.objects.get()
    assert response.status_code == 302
    page = web_a.get(f"/programmes/cases/{case.pk}/").content.decode()
    assert "Meena" in page
    assert CaseRead.objects.filter(case=case).count() == 1
    listing = web_a.get(f"/programmes/{programme.pk}/cases/").content.decode()
    assert case.reference in listing
    assert "Meena" not in listing  # the list shows references only


def test_a_colleague_without_the_role_gets_404_on_a_case(child, admin_only_a, programme):
    client = web_client(admin_only_a)
    assert client.get(f"/programmes/cases/{child.pk}/").status_code == 404
    page = client.get(f"/programmes/{programme.pk}/cases/").content.decode()
    assert child.reference not in page
    assert not CaseRead.objects.exists()


def test_a_donor_sees_the_programme_and_figures_but_no_child(child, programme, donor_b):
    donor = MembershipFactory.create(organisation=donor_b, roles=["admin", "case_worker"])
    client = web_client(donor)
    assert client.get(f"/programmes/{programme.pk}/").status_code == 200
    figures = client.get(f"/programmes/{programme.pk}/indicators/")
    assert figures.status_code == 200
    exported = client.get(f"/programmes/{programme.pk}/indicators/?export=csv")
    body = str(csv_rows(exported))
    for text in (
        figures.content.decode(),
        body,
        client.get(f"/programmes/{programme.pk}/cases/").content.decode(),
    ):
        assert "Sunita" not in text
        assert "Ward 7" not in text
        assert child.reference not in text
    assert client.get(f"/programmes/cases/{child.pk}/").status_code == 404
    assert not CaseRead.objects.exists()


def test_the_indicators_download_as_csv(web_a, child, programme):
    response = web_a.get(f"/programmes/{programme.pk}/indicators/?export=csv")
    assert response.status_code == 200
    rows = csv_rows(response)
    assert rows[0][:3] == ["Village", "Period", "Children identified"]
    assert rows[1][:3] == ["Whole programme", "All time", "1"]
    assert rows[2][:3] == ["Dhorkola", "All time", "1"]
    sheet = xlsx_rows(web_a.get(f"/programmes/{programme.pk}/indicators/?export=xlsx"))
    assert sheet[1][:3] == ("Whole programme", "All time", 1)


@pytest.mark.parametrize("roles", [["compliance_officer"], ["auditor"], ["admin", "case_worker"]])
def test_a_buyer_or_an_auditor_elsewhere_sees_no_programme_and_no_child(child, programme, roles):
    # given a buyer's compliance officer, an audit body's auditor, another org's case worker
    outsider = MembershipFactory.create(roles=roles)
    client = web_client(outsider)
    # when / then: every page of A's programme is a 404, and no list names a child
    for url in (
        f"/programmes/{programme.pk}/",
        f"/programmes/{programme.pk}/indicators/",
        f"/programmes/{programme.pk}/indicators/?export=csv",
        f"/programmes/{programme.pk}/cases/",
        f"/programmes/villages/{child.village_id}/",
        f"/programmes/cases/{child.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    listing = client.get("/programmes/").content.decode()
    assert programme.name not in listing
    assert "Sunita" not in listing
    assert not CaseRead.objects.exists()


def test_the_village_form_names_countries_in_the_readers_language(web_a, programme):
    page = web_a.get(f"/programmes/{programme.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<option value="IN">Inde</option>' in page
