"""Every router mounted on the API has its tenancy declared through the one shared harness.

Each router's own test module (``core.tests.harness.tenancy_tests``) checks that every route of
that router has a cross-organisation case, or is declared own-scope or public; this test checks
that no router escapes: a new router mounted in ``api/api.py`` without a declaration fails here.
"""

from __future__ import annotations

import pytest

from oretrace.api.api import api
from oretrace.core.tests.harness import (
    DECLARED,
    Reach,
    Tenancy,
    import_declarations,
    router_routes,
)


def test_every_router_of_the_api_has_a_tenancy_declaration():
    declared = import_declarations()
    missing = [
        f"{prefix} ({sorted(router_routes(router))[:3]} …)"
        for prefix, router in api._routers
        if router_routes(router) and id(router) not in declared
    ]
    assert not missing, f"routers without a tenancy declaration (core.tests.harness): {missing}"


def test_every_api_route_is_declared_once():
    """The declarations together name every operation of the API, each in one router."""
    declared = import_declarations()
    every = [route for _prefix, router in api._routers for route in router_routes(router)]
    covered = [
        route
        for _prefix, router in api._routers
        if id(router) in declared
        for route in declared[id(router)].routes_declared
    ]
    assert sorted(covered) == sorted(every)


def test_a_route_left_out_of_a_declaration_fails_its_coverage_test():
    """The harness's own check, on a router with one undeclared route."""
    from ninja import Router

    from oretrace.core.tests.harness import tenancy_tests

    router = Router()

    @router.get("/things/{int:thing_id}")
    def thing(request, thing_id: int) -> None: ...

    @router.get("/things")
    def things(request) -> None: ...

    spec = Tenancy(router, cross_org={"GET /things/{int:thing_id}": Reach("/x/{thing}")})
    DECLARED.pop(id(router))
    covered, _404 = tenancy_tests(spec)
    with pytest.raises(AssertionError, match="GET /things"):
        covered()
