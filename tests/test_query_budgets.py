"""Query budgets: a list costs the same number of queries whatever the number of its rows.

Every list is found, not listed by hand:

- API: every GET operation of the OpenAPI document that takes ``limit`` (the paginated lists),
  its path filled from the demo world's ids; asked with ``limit=1`` and with ``limit=4``.
- Pages: every page of the site (``route_world.web_patterns``) that builds a Django
  ``Paginator``; rendered with the paginator's page size forced to 1 and to 4.

The same member asks both, on the same rows (the demo, built once for the module, plus a few
rows for lists the demo leaves short); a difference in the number of queries is an N+1 (a
query per row: a missing ``select_related``/``prefetch_related`` in the app's ``queries``).
A list whose member sees fewer than 4 rows cannot be measured and fails, naming it: give it
rows in ``_more_rows``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from route_world import World, api_operations, fill, fill_api, web_patterns

pytestmark = pytest.mark.django_db

FEW, MORE = 1, 4
# The demo organisations whose administrators ask; the first that sees enough rows is used.
ORGS = ("brightline", "mica-initiative", "giridih-mica", "aurelia-motors")


def _paginated_api_lists() -> list[str]:
    from oretrace.api.api import api

    paths = api.get_openapi_schema()["paths"]
    return sorted(
        path
        for method, path in api_operations()
        if method == "GET"
        and any(p["name"] == "limit" for p in paths[path]["get"].get("parameters", []))
    )


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
    from oretrace.declarations.tests.factories import CampaignFactory, DeclarationFactory
    from oretrace.registry.tests.factories import MatchReviewFactory, ReferenceImportFactory
    from oretrace.traceability.tests.factories import CustodyFlagFactory

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
    assert Organisation.objects.count() > len(ORGS)


def _count_queries(send: Any) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = send()
    return len(queries.captured_queries), response


def test_every_paginated_api_list_costs_the_same_queries_for_1_and_4_rows(world):
    _more_rows(world)
    problems: list[str] = []
    lists = _paginated_api_lists()
    assert len(lists) >= 15, lists  # the enumeration finds the lists
    for path in lists:
        url = fill_api(path, world.ids)
        for org in ORGS:
            client = world.api(world.member(org, "admin"))
            first = client.get(f"{url}?limit={MORE}")  # also warms caches (content types …)
            if first.status_code == 200 and first.json()["count"] >= MORE:
                break
        else:
            problems.append(f"{path}: no demo member sees {MORE} rows to measure")
            continue
        few, response_few = _count_queries(lambda c=client, u=url: c.get(f"{u}?limit={FEW}"))
        more, response_more = _count_queries(lambda c=client, u=url: c.get(f"{u}?limit={MORE}"))
        assert len(response_more.json()["items"]) == MORE, path
        assert len(response_few.json()["items"]) == FEW, path
        if more != few:
            problems.append(f"{path} ({org}): {few} queries for {FEW} row, {more} for {MORE}")
    assert not problems, "\n".join(problems)


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
