"""Downloads of the declarations lists (declarations/list_exports.py): the declaration list
as XLSX holds exactly the rows its filters select, beyond the page, and only the member's own;
campaigns, their requests and suppliers download too."""

import pytest
from django.db import connection

from oretrace.core.tests.downloads import csv_rows, xlsx_rows
from oretrace.core.tests.fixtures import web_client
from oretrace.declarations.tests.factories import (
    CampaignFactory,
    CampaignRequestFactory,
    DeclarationFactory,
    SupplierFactory,
)

# A NUL as a stored value, where the database can hold one: SQLite can; PostgreSQL refuses it in
# text, so there the services store U+FFFD instead (the writers' own NUL test is in core's
# test_tabular.py).
NUL_NAME = "Nul\x00 Metals" if connection.vendor == "sqlite" else "Nul\ufffd Metals"

pytestmark = pytest.mark.django_db


@pytest.fixture
def declarations(org_a, org_b):
    shenzhen = SupplierFactory.create(organisation=org_a, name="深圳金属有限公司")
    nul = SupplierFactory.create(organisation=org_a, name=NUL_NAME)
    for _ in range(55):  # more than a page of 50
        DeclarationFactory.create(organisation=org_a, supplier=shenzhen, status="accepted")
    DeclarationFactory.create(organisation=org_a, supplier=nul, status="needs_correction")
    DeclarationFactory.create(organisation=org_a, supplier=nul, status="accepted", family="EMRT")
    DeclarationFactory.create(organisation=org_b, status="accepted")


def test_declaration_list_xlsx_holds_the_filtered_selection(member_a, declarations):
    client = web_client(member_a)
    html = client.get("/declarations/?status=accepted&family=CMRT").content.decode()
    assert 'href="?status=accepted&amp;family=CMRT&amp;export=xlsx"' in html
    rows = xlsx_rows(client.get("/declarations/?status=accepted&family=CMRT&export=xlsx"))
    assert rows[0] == (
        "Supplier",
        "Template",
        "Scope",
        "Effective",
        "Status",
        "Errors",
        "Red flags",
        "File",
    )
    assert len(rows) == 56  # 55 rows: the whole selection, not the page of 50
    assert {r[0] for r in rows[1:]} == {"深圳金属有限公司"}
    assert {r[4] for r in rows[1:]} == {"Accepted"}  # the status's name, not its code


def test_declaration_list_csv_keeps_nul_and_other_scripts(member_a, declarations):
    rows = csv_rows(web_client(member_a).get("/declarations/?export=csv"))
    assert len(rows) == 58
    assert {r[0] for r in rows[1:]} == {"深圳金属有限公司", NUL_NAME}


def test_another_organisation_downloads_none_of_them(member_b, declarations):
    rows = csv_rows(web_client(member_b).get("/declarations/?export=csv"))
    assert len(rows) == 2
    assert "深圳" not in rows[1][0]


def test_campaigns_their_requests_and_suppliers_download(member_a, member_b, declarations):
    campaign = CampaignFactory.create(organisation=member_a.organisation, name="Year 2026")
    CampaignRequestFactory.create(
        campaign=campaign,
        supplier=SupplierFactory.create(organisation=member_a.organisation, name="Ōsaka Tin"),
    )
    client = web_client(member_a)
    assert csv_rows(client.get("/declarations/campaigns/?export=csv"))[1][0] == "Year 2026"
    requests = xlsx_rows(client.get(f"/declarations/campaigns/{campaign.pk}/?export=xlsx"))
    assert [r[0] for r in requests[1:]] == ["Ōsaka Tin"]
    suppliers = {r[0] for r in csv_rows(client.get("/declarations/suppliers/?export=csv"))[1:]}
    assert {"深圳金属有限公司", NUL_NAME, "Ōsaka Tin"} <= suppliers
    # another organisation: its own lists are empty, A's campaign is not found
    other = web_client(member_b)
    assert len(csv_rows(other.get("/declarations/campaigns/?export=csv"))) == 1
    assert other.get(f"/declarations/campaigns/{campaign.pk}/?export=csv").status_code == 404
