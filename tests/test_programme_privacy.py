"""Children's privacy across the platform, on the demo world (``route_world``).

- A buyer (Aurelia Motors, whose car batch traces to the programme's villages), an auditor
  (Thirdline Assurance) and the programme's donor (Rhein Pigmente, which the programme was
  shared with), each as a member holding every role, walk every page of the programmes app,
  its CSV/XLSX downloads, the lot pages that show the programmes on a trace, and every API
  route of the programmes: no child's name, birth date or location appears in any answer.
- Every opening of a child's identity by a case worker is a row of the access log.
- The database, dumped whole (SQLite's ``iterdump``: every table, every column), holds no
  child's name, birth date or location in clear.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from oretrace.programmes.demo import FIRST_NAMES
from oretrace.programmes.models import CaseRead, ChildCase, Village
from oretrace.programmes.services import cases
from route_world import ROLES, World, api_operations, fill, fill_api, web_patterns

pytestmark = pytest.mark.django_db

AURELIA, THIRDLINE, DONOR, MICA = (
    "aurelia-motors",
    "thirdline-audit",
    "rhein-pigmente",
    "mica-initiative",
)
# A child identified in the test, with every part of the identity filled in.
PROBE = {"name": "Rukmini Probe-Devi", "birth_date": "2012-08-19", "location": "Hamlet Q-17"}
DEMO_NAMES = [f"Demo child {n}" for n in ("Asha", "Bablu", "Chhotu", "Dipa", *FIRST_NAMES)]


def _probe_child(world: World) -> ChildCase:
    village = Village.objects.get(pk=world.ids["village_id"])
    worker = world.member(MICA, "case_worker")
    today = timezone.localdate()
    return cases.identify(
        village,
        actor=worker,
        identity={**PROBE},
        age_band="12-14",
        source="school",
        identified_on=today - timedelta(days=3),
        consent_by="mother",
        consent_on=today - timedelta(days=3),
    )


def _secrets() -> list[str]:
    return [*PROBE.values(), *DEMO_NAMES, ", ward 3", ", ward 4", ", ward 5", ", ward 6"]


def _text(response) -> str:
    """What an answer says: a page, JSON, a CSV, or the cells of an XLSX download."""
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if body[:2] == b"PK":  # an XLSX workbook: its sheets' XML
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    return body.decode("utf-8", "replace")


def _web_urls(world: World) -> list[str]:
    ids = {**world.web_ids, "lot_id": _car_batch()}
    urls = []
    for route in web_patterns():
        if route.name.startswith("programmes:") or route.name == "traceability:lot":
            url = fill(route.route, ids)
            urls += [url, f"{url}?export=csv", f"{url}?export=xlsx"]
    return urls


def _api_urls(world: World) -> list[str]:
    ids = {**world.ids, "lot_id": _car_batch()}
    return [
        fill_api(path, ids)
        for method, path in api_operations()
        if method == "GET" and ("/programmes" in path)
    ]


def _car_batch() -> str:
    from oretrace.traceability.models import Lot

    return str(Lot.objects.get(code__endswith="AUR-CARS-2606").pk)


def _with_every_role(org: str):
    from oretrace.core.models import Organisation
    from oretrace.core.tests.factories import MembershipFactory, UserFactory

    return MembershipFactory(
        organisation=Organisation.objects.get(slug=org),
        user=UserFactory(email=f"every-role.{org}@matrix.example"),
        roles=list(ROLES),
    )


@pytest.mark.parametrize("org", [AURELIA, THIRDLINE, DONOR])
def test_buyer_auditor_and_donor_never_see_a_child(world, org):
    # given a child whose identity is complete, besides the demo's children
    _probe_child(world)
    reads = CaseRead.objects.count()
    web_urls, api_urls = _web_urls(world), _api_urls(world)
    assert len(api_urls) >= 6
    seen: list[str] = []
    # when a member of the organisation holding every role walks every page, download and API
    # (what a member may see only grows with its roles: each permission is a set of roles, so
    # this member sees all that any single role of the organisation sees)
    member = _with_every_role(org)
    web, api = world.web(member), world.api(member)
    answers = [(url, web.get(url)) for url in web_urls]
    answers += [(url, web.get(url, HTTP_HX_REQUEST="true")) for url in web_urls[:3]]
    answers += [(url, api.get(url)) for url in api_urls]
    for url, response in answers:
        assert response.status_code < 500, (url, response.status_code)
        text = _text(response)
        if response.status_code == 200:
            seen.append(url)
        # then no answer names a child, their birth date or where they live
        for secret in _secrets():
            assert secret not in text, (org, url, secret)
    # and nobody's walk opened a child's identity
    assert CaseRead.objects.count() == reads
    # the walk saw something: the buyer its trace, the donor the programme
    if org == AURELIA:
        assert any("/programmes/lots/" in url for url in seen)
    if org == DONOR:
        assert any(url.endswith("/indicators/") for url in seen)


def test_every_opening_by_a_case_worker_is_in_the_access_log(world):
    probe = _probe_child(world)
    worker = world.member(MICA, "case_worker")
    web = world.web(worker)
    opened = list(ChildCase.objects.filter(programme_id=world.ids["programme_id"]))
    assert probe in opened
    before = CaseRead.objects.count()
    for case in opened:
        response = web.get(f"/programmes/cases/{case.pk}/")
        assert response.status_code == 200
        latest = CaseRead.objects.filter(case=case).order_by("-pk").first()
        assert latest is not None
        assert latest.member_id == worker.pk
    # one row per opening, each by the case worker, and the identity was shown to them
    assert CaseRead.objects.count() == before + len(opened)
    assert PROBE["name"] in web.get(f"/programmes/cases/{probe.pk}/").content.decode()
    assert CaseRead.objects.count() == before + len(opened) + 1
    # a list of cases opens no identity
    web.get(f"/programmes/{world.ids['programme_id']}/cases/")
    assert CaseRead.objects.count() == before + len(opened) + 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the dump is SQLite's iterdump")
def test_the_database_holds_no_childs_name_in_clear(world):
    _probe_child(world)
    assert ChildCase.objects.count() >= 16
    dump = "\n".join(connection.connection.iterdump())
    assert "programmes_childcase" in dump  # the dump holds the cases' table
    for secret in (*_secrets(), date(2012, 8, 19).strftime("%d/%m/%Y")):
        assert secret not in dump, secret


def test_no_text_column_of_any_table_holds_a_childs_name(world):
    """The same on any database (PostgreSQL in CI): every text and JSON column of every table
    the models know, read back whole."""
    from django.apps import apps
    from django.db import models

    _probe_child(world)
    quote = connection.ops.quote_name
    texts = (models.CharField, models.TextField, models.JSONField)
    checked = 0
    for model in apps.get_models(include_auto_created=True):
        columns = [f.column for f in model._meta.concrete_fields if isinstance(f, texts)]
        if not columns or not model._meta.managed:
            continue
        table = quote(model._meta.db_table)
        names = ", ".join(quote(c) for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {names} FROM {table}")  # noqa: S608  (names from the models)
            rows = cursor.fetchall()
        text = "\n".join(str(value) for row in rows for value in row)
        checked += 1
        for secret in _secrets():
            assert secret not in text, (model._meta.db_table, secret)
    assert checked > 50
