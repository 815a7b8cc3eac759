"""The one tenancy and change-log harness every API router's tests use.

Each app's API test module declares, for its ninja router, how a member of organisation B tries
to reach each of organisation A's objects, and which routes act only within the caller's own
organisation or serve public data::

    TENANCY = Tenancy(
        router,
        cross_org={
            "GET /facilities/{int:facility_id}": Reach("/api/v1/facilities/{facility}"),
            "PATCH /facilities/{int:facility_id}": Reach("/api/v1/facilities/{facility}", {"a": 1}),
        },
        own_scope={"GET /facilities", "POST /facilities"},
    )
    test_every_route_is_covered, test_other_organisation_gets_404 = tenancy_tests(TENANCY)

and a fixture ``objects_of_a`` giving the values the URLs are filled with (``{"facility": 7}``).
``tenancy_tests`` makes the two tests from that declaration:

- every route of the router is declared (a new route without a cross-organisation case fails);
- for each cross-organisation route, B gets 404 as a problem document, B's request writes no
  change-log entry (nothing was changed, not even half), and A, asking the same GET, gets 200
  (so the 404 is about tenancy, not a broken URL).

``tests_of_every_router()`` (used by ``api/tests/test_every_route.py``) finds every declaration,
so that a router mounted on the API without one fails too.

The web pages have the same harness: an app's page test module declares, for each URL pattern
of its ``urls.py`` that names an object (a pattern with a parameter), how B tries it on A's
objects, or where else its tenancy is tested::

    PAGES = PageTenancy(
        urlpatterns,
        "registry",
        cross_org={
            "facility": [Page(["facility"]), Page(["facility"], {"action": "add-name"})],
        },
    )
    test_every_object_page_is_covered, test_other_organisation_gets_404_on_page = (
        page_tenancy_tests(PAGES)
    )

with the same ``objects_of_a`` fixture. B's GET or POST answers 404 and writes no change-log
entry; A's GET of the same page answers 200. ``web/tests/test_every_page.py`` checks that every
app's object pages are declared.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Every declaration made, by the id of its router (filled as the test modules are imported).
DECLARED: dict[int, Tenancy] = {}
# Every page declaration made, by its URL namespace.
DECLARED_PAGES: dict[str, PageTenancy] = {}


@dataclass(frozen=True)
class Reach:
    """How B tries one route on A's object: the URL (``{name}`` filled from ``objects_of_a``)
    and the JSON body of a write (None: no body)."""

    url: str
    body: dict[str, Any] | None = None


@dataclass
class Tenancy:
    """One router's routes: how B reaches A's objects, and the routes that need no such case."""

    router: Any  # ninja.Router
    cross_org: Mapping[str, Reach]
    own_scope: Iterable[str] = ()  # lists and creations within the caller's own organisation
    public: Iterable[str] = ()  # public by design (reference data, the log's head)
    # A check run after B's refused request, e.g. that A's campaign is still open.
    after: Callable[[Mapping[str, Any]], None] | None = None
    routes_declared: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.own_scope = frozenset(self.own_scope)
        self.public = frozenset(self.public)
        self.routes_declared = set(self.cross_org) | set(self.own_scope) | set(self.public)
        DECLARED[id(self.router)] = self

    def routes(self) -> set[str]:
        """``METHOD path`` of every operation of the router, as ninja holds them."""
        return router_routes(self.router)


def router_routes(router: Any) -> set[str]:
    return {
        f"{method} {path}"
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }


def _count_change_log() -> int:
    from oretrace.core.models import ChangeLogEntry

    return ChangeLogEntry.objects.count()


def assert_other_organisation_gets_404(
    spec: Tenancy, route: str, api_a: Any, api_b: Any, objects: Mapping[str, Any]
) -> None:
    """B's request on A's object answers 404 and writes nothing; A's GET answers 200."""
    method = route.split(" ", 1)[0].lower()
    reach = spec.cross_org[route]
    url = reach.url.format(**objects)
    kwargs: dict[str, Any] = {}
    if reach.body is not None:
        kwargs = {"data": json.dumps(reach.body), "content_type": "application/json"}
    entries = _count_change_log()
    response = getattr(api_b, method)(url, **kwargs)
    assert response.status_code == 404, (route, response.content)
    assert response["Content-Type"] == "application/problem+json", route
    assert response.json()["status"] == 404, route
    assert _count_change_log() == entries, f"{route}: B's refused request wrote the change log"
    if spec.after is not None:
        spec.after(objects)
    if method == "get":
        assert api_a.get(url).status_code == 200, (route, "A cannot read its own object")


def tenancy_tests(spec: Tenancy) -> tuple[Callable[..., None], Callable[..., None]]:
    """The two tests of a router's declaration; assign them to names starting with ``test_``."""

    def test_every_route_is_covered() -> None:
        missing = spec.routes() - spec.routes_declared
        gone = spec.routes_declared - spec.routes()
        assert not missing, f"routes with no tenancy case (add them to cross_org): {missing}"
        assert not gone, f"declared routes the router no longer has: {gone}"

    @pytest.mark.parametrize("route", sorted(spec.cross_org))
    def test_other_organisation_gets_404(
        route: str, api_a: Any, api_b: Any, objects_of_a: Mapping[str, Any]
    ) -> None:
        assert_other_organisation_gets_404(spec, route, api_a, api_b, objects_of_a)

    return test_every_route_is_covered, test_other_organisation_gets_404


def _import_test_modules(calling: str) -> None:
    """Import every app's test module whose text calls ``calling`` (a declaration is made as
    its module is imported)."""
    root = Path(__file__).resolve().parents[2]  # src/oretrace
    for path in sorted(root.glob("*/tests/test_*.py")):
        if f"{calling}(" in path.read_text(encoding="utf-8"):
            importlib.import_module(f"oretrace.{path.parent.parent.name}.tests.{path.stem}")


def import_declarations() -> dict[int, Tenancy]:
    """Import every app's test module that declares a router's tenancy; the declarations."""
    _import_test_modules("tenancy_tests")
    return DECLARED


# --- the web pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One request of B on a page of A's object: the URL's arguments, named by the keys of
    ``objects_of_a`` (any other string is passed as it is: ``"core"``), and the form of a POST
    (None: a GET)."""

    args: Sequence[str]
    data: Mapping[str, Any] | None = None


@dataclass
class PageTenancy:
    """One app's pages that name an object: how B reaches each on A's objects, or where the
    tenancy of a page is tested instead (a reason in words)."""

    urlpatterns: Sequence[Any]
    namespace: str
    cross_org: Mapping[str, Sequence[Page]]
    elsewhere: Mapping[str, str] = field(default_factory=dict)
    # A check run after B's refused requests, e.g. that A's object is unchanged.
    after: Callable[[Mapping[str, Any]], None] | None = None

    def __post_init__(self) -> None:
        DECLARED_PAGES[self.namespace] = self

    def object_pages(self) -> set[str]:
        """The names of the app's URL patterns that take a parameter."""
        return object_pages(self.urlpatterns)

    def requests(self) -> list[tuple[str, int]]:
        return [
            (name, n) for name, pages in sorted(self.cross_org.items()) for n in range(len(pages))
        ]


def object_pages(urlpatterns: Sequence[Any]) -> set[str]:
    return {p.name for p in urlpatterns if p.pattern.regex.groups}


def assert_other_organisation_gets_404_on_page(
    spec: PageTenancy, name: str, n: int, web_a: Any, web_b: Any, objects: Mapping[str, Any]
) -> None:
    """B's request on A's page answers 404 and writes nothing; A's GET answers 200."""
    from django.urls import reverse

    page = spec.cross_org[name][n]
    url = reverse(f"{spec.namespace}:{name}", args=[objects.get(key, key) for key in page.args])
    entries = _count_change_log()
    response = web_b.get(url) if page.data is None else web_b.post(url, dict(page.data))
    assert response.status_code == 404, (name, url, response.status_code)
    assert _count_change_log() == entries, f"{name}: B's refused request wrote the change log"
    if spec.after is not None:
        spec.after(objects)
    if page.data is None:
        assert web_a.get(url).status_code == 200, (name, url, "A cannot read its own page")


def page_tenancy_tests(spec: PageTenancy) -> tuple[Callable[..., None], Callable[..., None]]:
    """The two tests of an app's page declaration; assign them to names starting with ``test_``."""

    def test_every_object_page_is_covered() -> None:
        declared = set(spec.cross_org) | set(spec.elsewhere)
        missing = spec.object_pages() - declared
        gone = declared - spec.object_pages()
        assert not missing, f"object pages with no tenancy case (add them to cross_org): {missing}"
        assert not gone, f"declared pages the app no longer has: {gone}"

    @pytest.mark.parametrize(("name", "n"), spec.requests())
    def test_other_organisation_gets_404_on_page(
        name: str, n: int, web_a: Any, web_b: Any, objects_of_a: Mapping[str, Any]
    ) -> None:
        assert_other_organisation_gets_404_on_page(spec, name, n, web_a, web_b, objects_of_a)

    return test_every_object_page_is_covered, test_other_organisation_gets_404_on_page


def import_page_declarations() -> dict[str, PageTenancy]:
    """Import every app's test module that declares its pages' tenancy; the declarations."""
    _import_test_modules("page_tenancy_tests")
    return DECLARED_PAGES
