"""Query budgets: a list costs the same number of queries whatever the number of its rows.

Every list is found, not listed by hand:

- API: every GET operation of the OpenAPI document that takes ``limit`` (the paginated lists),
  or ``perPage`` (the EPCIS event query), its path filled from the demo world's ids; asked with
  one row a page and with 4.
- API lists that are not paginated (an operation answering a JSON array): each is named in
  ``ARRAY_LISTS`` with how to give it more rows; asked before and after it grows. A new one
  that is not named there fails ``test_every_unpaginated_api_list_is_measured``.
- Pages: every page of the site (``route_world.web_patterns``) that builds a Django
  ``Paginator``; rendered with the paginator's page size forced to 1 and to 4.

The same member asks both, on the same rows (the demo, built once for the module, plus a few
rows for lists the demo leaves short); a difference in the number of queries is an N+1 (a
query per row: a missing ``select_related``/``prefetch_related`` in the app's ``queries``).
A list whose member sees fewer than 4 rows cannot be measured and fails, naming it: give it
rows in ``_more_rows``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from route_world import World, api_operations, fill, fill_api, web_patterns

pytestmark = pytest.mark.django_db

FEW, MORE = 1, 4
# The demo organisations whose administrators ask; the first that sees enough rows is used.
ORGS = ("brightline", "mica-initiative", "giridih-mica", "aurelia-motors")


# The query parameter that sets a paginated list's page size, and how to read its rows.
PAGE_SIZE = ("limit", "perPage")


def _get_operations() -> dict[str, dict[str, Any]]:
    """Every GET operation of the API's OpenAPI document, by path."""
    from oretrace.api.api import api

    paths = api.get_openapi_schema()["paths"]
    return {path: paths[path]["get"] for method, path in api_operations() if method == "GET"}


def _size_param(operation: dict[str, Any]) -> str | None:
    names = {p["name"] for p in operation.get("parameters", [])}
    return next((name for name in PAGE_SIZE if name in names), None)


def _paginated_api_lists() -> list[str]:
    return sorted(path for path, op in _get_operations().items() if _size_param(op))


def _array_api_lists() -> list[str]:
    """GET operations answering a JSON array: lists without pages."""
    found = []
    for path, operation in _get_operations().items():
        ok = operation["responses"].get(200) or operation["responses"].get("200") or {}
        schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("type") == "array" and not _size_param(operation):
            found.append(path)
    return sorted(found)


def _rows(body: Any) -> list[Any]:
    """The rows of a list's answer: a page's ``items``, an EPCIS document's events, an array."""
    if isinstance(body, list):
        return body
    if "items" in body:
        return body["items"]
    return body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def _more_rows(world: World) -> None:
    """Rows for the lists the demo leaves short, made with the apps' factories."""
    from oretrace.assessments.tests.factories import AssessmentFactory, StandardFactory
    from oretrace.core import services
    from oretrace.core.models import Notification, Organisation
    from oretrace.core.tests.factories import (
        JobFactory,
        MembershipFactory,
        OrganisationFactory,
    )
    from oretrace.declarations.tests.factories import (
        CampaignFactory,
        DeclarationFactory,
        SupplierFactory,
    )
    from oretrace.registry.tests.factories import MatchReviewFactory, ReferenceImportFactory
    from oretrace.risk.register.reviews import latest_review
    from oretrace.risk.register.services import entries, plans
    from oretrace.risk.tests.factories import EditionFactory
    from oretrace.traceability.tests.factories import CustodyFlagFactory

    # Step-3 plans first: their decisions are ledger leaves, and the ledger page's 4 newest
    # leaves below stay of one record type (it reads names in one query per type).
    today = timezone.localdate()
    for org in ORGS:
        admin = world.member(org, "admin")
        for n in range(MORE):
            risk = entries.record_risk(
                actor=admin,
                title=f"budget {n}",
                category="bribery",
                subject=entries.Subject(supplier=SupplierFactory(organisation=admin.organisation)),
                reason="budget",
            )
            plans.adopt_plan(
                risk,
                actor=admin,
                strategy="mitigate",
                decided_on=today,
                review_on=latest_review(today),
            )
    for org in ORGS:
        admin = world.member(org, "admin")
        mine = admin.organisation
        for n in range(MORE):
            services.issue_token(admin, name=f"budget {n}", actor=admin)
            JobFactory(organisation=mine, created_by=admin.user)
            MembershipFactory(organisation=mine, roles=["viewer"])
            MembershipFactory(organisation=OrganisationFactory(), user=admin.user)
            AssessmentFactory(organisation=mine, supplier=OrganisationFactory())
            StandardFactory(organisation=mine)
            CampaignFactory(organisation=mine, owner=admin)
            DeclarationFactory(organisation=mine)
            MatchReviewFactory(organisation=mine)
            ReferenceImportFactory(organisation=mine)
            CustodyFlagFactory(organisation=mine)
            Notification.objects.create(
                organisation=mine, recipient=admin.user, kind="onboarding", message="Welcome."
            )
            # changes to the organisation (its change log is a list too)
            services.update_organisation(mine, actor=admin, website=f"https://{n}.example")
            EditionFactory()  # shared reference data: every member lists every edition
    _more_audits(world)
    _more_programmes(world)
    assert Organisation.objects.count() > len(ORGS)


def _more_programmes(world: World) -> None:
    """More programmes of the initiative, and a fourth village in the demo's programme."""
    from oretrace.core.actors import SYSTEM
    from oretrace.core.models import Country
    from oretrace.programmes.models import Programme
    from oretrace.programmes.services import setup

    demo = Programme.objects.get(pk=world.ids["programme_id"])
    setup.add_village(
        demo, actor=SYSTEM, name="Budget village", country=Country.objects.get(code="IN")
    )
    for n in range(MORE):
        setup.create_programme(
            actor=SYSTEM,
            organisation_id=demo.organisation_id,
            name=f"budget {n}",
            starts_on=demo.starts_on,
            indicator_set=demo.indicator_set,
        )


def _more_audits(world: World) -> None:
    """More audits like the demo's (the same parties), and a corrective action on each of the
    demo audit's findings, so that one finding and four cost the same reads."""
    from oretrace.audits.models import Audit, CorrectiveAction
    from oretrace.audits.services import audits
    from oretrace.core.actors import SYSTEM

    demo = Audit.objects.get(pk=world.ids["audit_id"])
    for n in range(MORE):
        audits.plan_audit(
            actor=SYSTEM,
            organisation=demo.organisation,
            programme=demo.programme,
            audit_type="follow-up",
            auditee=demo.auditee,
            facility=demo.facility,
            scope=f"budget {n}",
            planned_start=demo.planned_start,
            planned_end=demo.planned_end,
            lead_auditor=demo.lead_auditor,
            programme_owner=demo.programme_owner,
        )
    for finding in demo.findings.filter(actions__isnull=True):
        CorrectiveAction.objects.create(
            finding=finding, round=1, what="budget", owner_name="budget", due_on=demo.planned_end
        )


def _count_queries(send: Any) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = send()
    return len(queries.captured_queries), response


def test_every_paginated_api_list_costs_the_same_queries_for_1_and_4_rows(world):
    _more_rows(world)
    problems: list[str] = []
    operations = _get_operations()
    lists = _paginated_api_lists()
    assert len(lists) >= 15, lists  # the enumeration finds the lists
    for path in lists:
        url = fill_api(path, world.ids)
        size = _size_param(operations[path])
        for org in ORGS:
            client = world.api(world.member(org, "admin"))
            first = client.get(f"{url}?{size}={MORE}")  # also warms caches (content types …)
            if first.status_code == 200 and len(_rows(first.json())) >= MORE:
                break
        else:
            problems.append(f"{path}: no demo member sees {MORE} rows to measure")
            continue
        few, response_few = _count_queries(lambda c=client, u=f"{url}?{size}={FEW}": c.get(u))
        more, response_more = _count_queries(lambda c=client, u=f"{url}?{size}={MORE}": c.get(u))
        assert len(_rows(response_more.json())) == MORE, path
        assert len(_rows(response_few.json())) == FEW, path
        if more != few:
            problems.append(f"{path} ({org}): {few} queries for {FEW} row, {more} for {MORE}")
    assert not problems, "\n".join(problems)


def _more_actions(world: World) -> None:
    from oretrace.assessments.models import Assessment
    from oretrace.assessments.tests.factories import ImprovementActionFactory

    assessment = Assessment.objects.get(pk=world.ids["assessment_id"])
    for _n in range(MORE):
        ImprovementActionFactory(assessment=assessment)


def _more_gaps(world: World) -> None:
    """Every criterion of the assessment's standard a gap of its result, each with a module."""
    from oretrace.assessments.models import Assessment, Criterion
    from oretrace.assessments.tests.factories import TrainingModuleFactory

    assessment = Assessment.objects.get(pk=world.ids["assessment_id"])
    codes = list(
        Criterion.objects.filter(section__standard=assessment.standard).values_list(
            "code", flat=True
        )
    )
    result = dict(assessment.result or {})
    result["gaps"] = codes
    result["criteria"] = dict.fromkeys(codes, "not_met") | result.get("criteria", {})
    Assessment.objects.filter(pk=assessment.pk).update(result=result)
    for code in codes[:MORE]:
        TrainingModuleFactory(standard_code=assessment.standard.code, criterion_codes=[code])


# Lists without pages (the API answers a JSON array): how to give each more rows.
ARRAY_LISTS: dict[str, Callable[[World], None]] = {
    "/api/v1/assessments/{assessment_id}/actions": _more_actions,
    "/api/v1/assessments/{assessment_id}/gaps": _more_gaps,
}


def test_every_unpaginated_api_list_is_measured():
    """A new list answering a JSON array must say how it grows (``ARRAY_LISTS``)."""
    assert _array_api_lists() == sorted(ARRAY_LISTS)


@pytest.mark.parametrize("path", sorted(ARRAY_LISTS))
def test_an_unpaginated_api_list_costs_the_same_queries_as_it_grows(world, path):
    url = fill_api(path, world.ids)
    for org in ORGS:
        client = world.api(world.member(org, "admin"))
        if client.get(url).status_code == 200:  # also warms caches
            break
    else:
        pytest.fail(f"{path}: no demo administrator may read it")
    before, response_before = _count_queries(lambda: client.get(url))
    ARRAY_LISTS[path](world)
    after, response_after = _count_queries(lambda: client.get(url))
    rows_before, rows_after = len(response_before.json()), len(response_after.json())
    assert rows_after >= rows_before + MORE - 1, (path, rows_before, rows_after)
    assert after == before, (
        f"{path}: {before} queries for {rows_before} rows, {after} for {rows_after}"
    )


@contextmanager
def _page_size(size: int, seen: list[Paginator]) -> Iterator[None]:
    """Every Paginator built while inside shows ``size`` rows a page; each is kept in ``seen``."""
    original = Paginator.__init__

    def init(self: Paginator, object_list: Any, per_page: int, *args: Any, **kwargs: Any) -> None:
        original(self, object_list, size, *args, **kwargs)
        seen.append(self)

    Paginator.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        Paginator.__init__ = original  # type: ignore[method-assign]


def _render(client: Any, url: str, size: int) -> tuple[int, int, list[Paginator]]:
    seen: list[Paginator] = []
    with _page_size(size, seen):
        queries, response = _count_queries(lambda: client.get(url))
    return queries, response.status_code, seen


def test_every_paginated_page_costs_the_same_queries_for_1_and_4_rows(world):
    _more_rows(world)
    problems: list[str] = []
    measured = []
    for route in web_patterns():
        if route.name in ("logout",) or route.name.startswith("ledger:public"):
            continue
        url = fill(route.route, world.web_ids)
        for org in ORGS:
            client = world.web(world.member(org, "admin"))
            _queries, status, seen = _render(client, url, MORE)  # warms caches too
            if status != 200 or not seen:
                break  # not a list page (or not one this member may see): nothing to measure
            if seen[0].count >= MORE:
                break
        else:
            problems.append(f"{route.name}: no demo member sees {MORE} rows to measure")
            continue
        if status != 200 or not seen:
            continue
        few, _status, _seen = _render(client, url, FEW)
        more, _status, _seen = _render(client, url, MORE)
        measured.append(route.name)
        if more != few:
            problems.append(f"{route.name} ({org}): {few} queries for {FEW} row, {more} for {MORE}")
    assert len(measured) >= 5, measured  # the enumeration finds the list pages
    assert not problems, "\n".join(problems)
