"""Every list page offers its rows as CSV and XLSX (web/exports.py).

The list pages are found, not listed: every page of the site (Django's URL resolver, the same
routes as the role matrix) is opened as a member of the demo organisation that owns its
objects (platform staff for the operator's pages); a page that shows a table with column
headers is a list and must offer "Download CSV / XLSX" (``a[data-export]``), or be named in
``NOT_LISTS`` with the reason. So a new list page (risk register, audits …) fails here until
it has its downloads. Each download found is then fetched: the CSV and the XLSX answer 200,
hold the same header, and the XLSX reads back with openpyxl.
"""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.test import Client

from oretrace.core.choices import Role
from oretrace.core.tests.factories import UserFactory
from route_world import World, fill, web_patterns

pytestmark = pytest.mark.django_db

# Pages that show a table but are not lists of things the user filters: the table is part of
# one object's page, or a form's preview. A new entry needs a reason a reviewer accepts.
NOT_LISTS = {
    "grievances:survey": "one pulse survey: its questions and its answers counted, small cells "
    "kept back (the surveys list is the download)",
    "programmes:programme": "one programme: villages, targets, periods and trends (the "
    "programmes list and its indicators page are the downloads)",
    "programmes:lot": "the programmes on one lot's trace, part of the lot's page (the "
    "programme's indicators page is the download)",
    "web:dashboard": "a summary of recent items, each list it samples has its own download",
    "registry:facility": "one facility: its names, identifiers and statuses",
    "registry:match": "the result of one matching query, not a stored list",
    "declarations:detail": "one declaration: its answers and smelter rows (the file itself "
    "is the download)",
    "declarations:rollup": "the roll-up has its own reports (smelters CSV/XLSX) and the export",
    "traceability:event": "one custody event",
    "traceability:lot": "one lot: its chain of custody",
    "traceability:lot-report": "one lot's printable report (its PDF is the download)",
    "traceability:capture": "the capture form's list of problems of one document",
    "ledger:ledger_record": "one record's versions and proofs (the bundle is the download)",
    "assessments:report": "one assessment's gap report (printable)",
    "assessments:standard": "one standard's questions (the YAML file is the download)",
    "assessments:answer": "the answer form of one assessment",
    "risk:entry": "one risk of the register: its history (the register is the download)",
    "risk:plan": "one Step-3 plan: its measures, indicators and decisions",
    "risk:map": "the map's own text alternative, one row per country (the register is the "
    "download)",
    "risk:score": "one score's breakdown (the scores list is the download)",
    "risk:facility_score": "one facility's score, its breakdown and history",
    "risk:supplier_score": "one supplier's score, its breakdown and history",
    "audits:detail": "one audit: its findings, rounds and history (the audits list and the "
    "report's findings are the downloads)",
    "audits:report": "one audit's printable report (its PDF, and its findings as CSV/XLSX, are "
    "the downloads)",
    "programmes:licence": "one site's licence history (the programme's formalisation page is "
    "the download)",
}
HTML = re.compile(r"text/html")
EXPORT_LINK = re.compile(r'<a href="\?([^"]*)" data-export="(csv|xlsx)"')


# Lists that are not shown as tables (so the discovery cannot see them as lists).
NOT_TABLES = {
    "registry:reviews": "names waiting for review, one card each with its candidates",
}
# The demo organisations whose administrators look at every page: each sees its own lists.
VIEWERS = ("brightline", "aurelia-motors", "giridih-mica", "rhein-pigmente", "mica-initiative")


def _clients(world: World, name: str) -> list[Client]:
    if name.startswith("web:operator") or name == "registry:reference_overview":
        client = Client()
        client.force_login(UserFactory(is_staff=True))
        return [client]
    clients = []
    for org in VIEWERS:
        member = world.member(org, Role.ADMIN)
        world.api(member)  # an API token of their own, so that the tokens page lists one
        clients.append(world.web(member))
    return clients


def _pages(world: World) -> dict[str, tuple[str, str, Client]]:
    """Every GET page of the site that shows a table with column headers (to any of the
    viewers): name → (url, HTML, the client that saw it)."""
    found = {}
    for route in web_patterns():
        if dict(route.defaults).get("kind") or route.name.startswith(("ledger:public", "ledger:t")):
            continue  # a file of its own (csv/xlsx reports, tiles, public proofs)
        url = fill(route.route, world.web_ids)
        for client in _clients(world, route.name):
            response = client.get(url)
            if response.status_code != 200 or not HTML.match(response.get("Content-Type", "")):
                continue
            html = response.content.decode()
            if '<th scope="col"' in html or route.name in NOT_TABLES:
                found[route.name] = (url, html, client)
                break
    return found


@pytest.fixture(scope="module")
def pages(module_world: World, django_db_blocker) -> dict[str, tuple[str, str, Client]]:
    """The list pages found once for the module's tests (opening every page of the site as
    five members takes seconds). The viewers' members, tokens and sessions stay for the
    module, in its world's transaction, as the world's own rows do."""
    with django_db_blocker.unblock():
        return _pages(module_world)


def test_every_list_page_offers_csv_and_xlsx(pages):
    seen = {"traceability:events", "traceability:lots", "registry:reviews", "web:tokens"}
    assert seen <= set(pages), " ".join(sorted(pages))  # the discovery itself works
    missing = sorted(
        name
        for name, (_url, html, _client) in pages.items()
        if name not in NOT_LISTS and 'data-export="xlsx"' not in html
    )
    assert missing == [], "list pages without CSV/XLSX downloads (web/exports.py)"
    unknown = (set(NOT_LISTS) | set(NOT_TABLES)) - {r.name for r in web_patterns()}
    assert unknown == set(), "names of no page"


def test_every_download_reads_back(pages):
    for name, (url, html, client) in pages.items():
        if "data-export" not in html:
            continue  # in NOT_LISTS: the test above holds the others to it
        links = {kind: query for query, kind in EXPORT_LINK.findall(html)}
        base = url.split("?")[0]
        got_csv = client.get(f"{base}?{links['csv'].replace('&amp;', '&')}")
        assert got_csv.status_code == 200, name
        assert got_csv["Content-Type"].startswith("text/csv"), name
        text = b"".join(got_csv.streaming_content).decode("utf-8-sig")
        header = next(csv.reader(io.StringIO(text)))
        got_xlsx = client.get(f"{base}?{links['xlsx'].replace('&amp;', '&')}")
        assert got_xlsx.status_code == 200, name
        assert "attachment" in got_xlsx["Content-Disposition"], name
        book = openpyxl.load_workbook(io.BytesIO(b"".join(got_xlsx.streaming_content)))
        rows = list(book.active.iter_rows(values_only=True))
        assert list(rows[0]) == header, name
        assert len(rows) == len(list(csv.reader(io.StringIO(text)))), name
