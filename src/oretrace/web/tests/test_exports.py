"""Downloads of list pages (web/exports.py): the whole selection of the page's filters, only
what the member may see, in the reader's language, any character kept."""

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from oretrace.core.tests.downloads import csv_rows, xlsx_rows
from oretrace.core.tests.fixtures import web_client
from oretrace.registry.choices import FacilityKind
from oretrace.registry.tests.factories import FacilityFactory

# A NUL as a stored value, where the database can hold one: SQLite can; PostgreSQL refuses it in
# text, so there the services store U+FFFD instead (the writers' own NUL test is in core's
# test_tabular.py).
NUL_NAME = "Nul\x00mine" if connection.vendor == "sqlite" else "Nul\ufffdmine"

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilities(member_a, member_b):
    """60 mines of A (more than a page of 50), a depot of A, and a mine of B."""
    for n in range(58):
        FacilityFactory(
            organisation=member_a.organisation, kind=FacilityKind.MINE, name=f"Mine {n}"
        )
    FacilityFactory(organisation=member_a.organisation, kind=FacilityKind.MINE, name="गिरिडीह खदान")
    FacilityFactory(organisation=member_a.organisation, kind=FacilityKind.MINE, name=NUL_NAME)
    FacilityFactory(organisation=member_a.organisation, name="=HYPERLINK(1) depot")
    FacilityFactory(organisation=member_b.organisation, kind=FacilityKind.MINE, name="Beta mine")


def test_xlsx_holds_every_row_the_filters_select_not_only_the_page(member_a, facilities):
    client = web_client(member_a)
    page = client.get("/facilities/?kind=mine")
    assert "60 facilities" in page.content.decode()  # a page of 50 shows
    assert 'data-export="xlsx"' in page.content.decode()
    # when
    response = client.get("/facilities/?kind=mine&page=2&export=xlsx")
    # then every mine of A, none of B, not the depot; the page number is ignored
    rows = xlsx_rows(response)
    assert response["Content-Disposition"].startswith('attachment; filename="facilities-')
    assert rows[0][:3] == ("Name", "Name in Latin script", "Kind")
    names = {r[0] for r in rows[1:]}
    assert len(rows) == 61
    assert "Beta mine" not in names
    assert "=HYPERLINK(1) depot" not in names
    assert {"गिरिडीह खदान", "Nul\ufffdmine", "Mine 0", "Mine 57"} <= names
    assert {r[2] for r in rows[1:]} == {"Mine"}  # the kind's name, not its code


def test_csv_keeps_non_latin_text_nul_and_defuses_formulas(member_a, facilities):
    rows = csv_rows(web_client(member_a).get("/facilities/?export=csv"))
    names = {r[0] for r in rows[1:]}
    assert {"गिरिडीह खदान", NUL_NAME, "'=HYPERLINK(1) depot"} <= names
    assert all(r[-1] == "your organisation" for r in rows[1:])


def test_another_organisation_downloads_only_its_own(member_b, facilities):
    rows = csv_rows(web_client(member_b).get("/facilities/?export=csv"))
    assert [r[0] for r in rows[1:]] == ["Beta mine"]


def test_headers_and_values_in_the_readers_language(member_a, facilities):
    client = web_client(member_a)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    rows = csv_rows(client.get("/facilities/?kind=mine&export=csv"))
    assert rows[0][0] == "Nom"
    assert rows[1][-1] == "votre organisation"


@override_settings(ORETRACE_EXPORT_XLSX_MAX_ROWS=10)
def test_too_long_for_xlsx_sends_back_with_the_way_out(member_a, facilities):
    client = web_client(member_a)
    response = client.get("/facilities/?kind=mine&export=xlsx", follow=True)
    assert response.redirect_chain[-1][0] == "/facilities/?kind=mine"
    assert "download the CSV" in response.content.decode()
    assert len(csv_rows(client.get("/facilities/?kind=mine&export=csv"))) == 61


def test_an_unknown_format_is_refused_by_name(member_a, facilities):
    response = web_client(member_a).get("/facilities/?export=pdf", follow=True)
    assert response.status_code == 200
    assert "“pdf” is not a download format" in response.content.decode()


def test_the_links_carry_the_filters_and_drop_the_page(member_a, facilities):
    html = web_client(member_a).get("/facilities/?kind=mine&page=2").content.decode()
    assert 'href="?kind=mine&amp;export=xlsx" data-export="xlsx"' in html


def test_the_file_answers_the_pages_preparing_notice_with_a_cookie(member_a, facilities):
    client = web_client(member_a)
    response = client.get("/facilities/?export=xlsx&ready=abc123")
    assert response.cookies["oretrace_download"].value == "abc123"
    refused = client.get("/facilities/?export=csv&ready=<script>")
    assert "oretrace_download" not in refused.cookies


def test_every_page_has_the_working_notice_of_slow_actions(member_a):
    html = web_client(member_a).get("/").content.decode()
    assert 'id="busy"' in html
    assert "web/busy.js" in html


@pytest.mark.parametrize(
    ("page", "header", "shown"),
    [
        ("assessments:standards", "Standard", "Import a standard"),
        ("assessments:training", "Title", "Add a training module"),
        ("web:organisation", "E-mail", "Invite"),
    ],
)
def test_a_list_answers_with_its_download_or_its_page(member_a, page, header, shown):
    client = web_client(member_a)
    url = reverse(page)
    assert shown in client.get(url).content.decode()
    rows = csv_rows(client.get(url + "?export=csv"))
    assert rows[0][0] == header
    if page == "web:organisation":
        assert [member_a.user.email] == [r[0] for r in rows[1:]]
