"""The risk pages: the editions, one edition with its counts, diff and rows (and their
download), and the operator's upload; every member reads, only the operator imports."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from oretrace.core.models import Job
from oretrace.core.tests.fixtures import web_client
from oretrace.core.tests.harness import Page, PageTenancy, page_tenancy_tests
from oretrace.risk.models import Edition
from oretrace.risk.tests.factories import EditionFactory, GoodListingFactory
from oretrace.risk.tests.shared_data import GOODS_2019, GOODS_2021, read
from oretrace.risk.urls import urlpatterns

pytestmark = pytest.mark.django_db

PAGES = PageTenancy(
    urlpatterns,
    "risk",
    cross_org={
        "flag": [Page(["flag"])],
        "score": [Page(["score"])],
        "facility_score": [Page(["facility"])],
        "supplier_score": [Page(["supplier"])],
        # the risk register and its plans (objects_of_a in conftest.py)
        "entry": [Page(["entry"]), Page(["entry"], {"status": "closed", "note": "x"})],
        "plan_new": [Page(["entry"])],
        "plan": [Page(["plan"]), Page(["plan"], {"do": "close", "close-outcome": "x"})],
    },
    elsewhere={
        "edition": "shared reference data: every member reads every edition "
        "(test_pages.py: another organisation's member reads it)",
    },
)
test_every_object_page_is_covered, test_other_organisation_gets_404_on_page = page_tenancy_tests(
    PAGES
)


@pytest.fixture
def web_operator(operator) -> Client:
    return web_client(operator)


def _two_editions():
    old = EditionFactory.create(label="Old list", edition_date=datetime.date(2020, 1, 1))
    new = EditionFactory.create(
        label="New list", edition_date=datetime.date(2022, 1, 1), previous=old
    )
    GoodListingFactory.create(edition=old, good="Mica", key="Mica / Madagascar")
    GoodListingFactory.create(edition=old, good="Gold", key="Gold / Madagascar")
    GoodListingFactory.create(edition=new, good="Gold", key="Gold / Madagascar", forced_labour=True)
    GoodListingFactory.create(edition=new, good="Sapphires", key="Sapphires / Madagascar")
    return old, new


def test_the_list_shows_every_edition(web_b):
    _two_editions()
    page = web_b.get("/risk/").content.decode()
    assert "New list" in page
    assert "Old list" in page
    assert "2 editions" in page


def test_an_edition_shows_its_counts_diff_and_rows(web_b):
    _old, new = _two_editions()
    response = web_b.get(f"/risk/{new.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Added: 1 row" in page
    assert "Sapphires / Madagascar" in page
    assert "Removed: 1 row" in page
    assert "Mica / Madagascar" in page
    assert "Changed: 1 row" in page
    assert "Forced labour no → yes" in page


def test_the_rows_download_as_csv(web_a):
    _old, new = _two_editions()
    response = web_a.get(f"/risk/{new.pk}/?export=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert text.lstrip("\ufeff").splitlines()[0].startswith("Good,Sector,Country")
    assert "Sapphires" in text


def test_the_editions_download_as_xlsx(web_a):
    _two_editions()
    response = web_a.get("/risk/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_member_sees_who_imports_and_no_form(web_a):
    page = web_a.get("/risk/import/").content.decode()
    assert "only the platform's operator imports them" in page
    assert 'type="file"' not in page


def test_a_member_may_not_post_an_import(web_a):
    response = web_a.post(
        "/risk/import/", {"kind": "cahra", "file": SimpleUploadedFile("c.json", b"{}")}
    )
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_the_operator_uploads_two_editions_and_sees_the_diff(
    web_operator, django_capture_on_commit_callbacks
):
    for path, when in ((GOODS_2019, "2020-09-30"), (GOODS_2021, "2022-09-28")):
        with django_capture_on_commit_callbacks(execute=True):
            response = web_operator.post(
                "/risk/import/",
                {
                    "kind": "dol-goods",
                    "file": SimpleUploadedFile(path.name, read(path)),
                    "edition_date": when,
                },
            )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"].startswith("/jobs/")
    new = Edition.objects.get(edition_date=datetime.date(2022, 9, 28))
    page = web_operator.get(f"/risk/{new.pk}/").content.decode()
    assert "Since the edition of 2020-09-30" in page
    assert "467" in page


def test_a_bad_upload_is_a_form_error_not_a_500(web_operator):
    response = web_operator.post(
        "/risk/import/",
        {"kind": "cahra", "file": SimpleUploadedFile("goods.xml", read(GOODS_2021)[:2000])},
    )
    assert response.status_code == 400
    assert "goods.xml, line 1 column 1: not valid JSON" in response.content.decode()
    assert not Edition.objects.exists()


def test_the_same_file_again_says_so(web_operator, django_capture_on_commit_callbacks):
    data = (
        b'{"entries": [{"countryName": "Eritrea", "iso2": "ER", "regions": null, '
        b'"wholeCountry": true}]}'
    )
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = web_operator.post(
                "/risk/import/", {"kind": "cahra", "file": SimpleUploadedFile("c.json", data)}
            )
    edition = Edition.objects.get()
    assert response["Location"] == f"/risk/{edition.pk}/"
    page = web_operator.get(response["Location"]).content.decode()
    assert "already imported" in page


def test_an_editions_warnings_show_in_the_readers_language(web_b, api_b):
    from oretrace.core.stored_text import StoredText

    # given an edition with a warning stored as a text, and one kept from before as English
    noticed = StoredText.of(
        "No ISO 3166 country matches the name “%(name)s”: kept by name.", name="Kosovo"
    )
    edition = EditionFactory.create(warnings=[noticed.as_json(), "an older English warning"])
    # when
    french = web_b.get(f"/risk/{edition.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = web_b.get(f"/risk/{edition.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    api = api_b.get(f"/api/v1/risk/editions/{edition.pk}", HTTP_ACCEPT_LANGUAGE="fr").json()
    # then
    assert "Aucun pays ISO 3166 ne correspond au nom « Kosovo »" in french
    assert "an older English warning" in french
    assert "No ISO 3166 country matches the name “Kosovo”: kept by name." in english
    assert api["warnings"] == [
        "No ISO 3166 country matches the name “Kosovo”: kept by name.",
        "an older English warning",
    ]
