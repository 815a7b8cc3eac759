"""Every app's pages that name an object have their tenancy declared through the one harness.

Each app's page test module (``core.tests.harness.page_tenancy_tests``) checks that every URL
pattern of its ``urls.py`` that takes a parameter has a cross-organisation case, or says where
its tenancy is tested instead; this test checks that no app escapes: an app whose URLs are
included in ``oretrace/urls.py`` with object pages and no declaration fails here.
"""

from __future__ import annotations

from django.urls import URLResolver, get_resolver

from oretrace.core.tests.harness import import_page_declarations, object_pages

# Not pages of an app: the API (its routers have their own declarations, api/tests/
# test_every_route.py) and Django's admin site (Django's, for platform staff only).
NOT_PAGES = {"api", "admin"}


def _apps_with_object_pages() -> set[str]:
    return {
        p.namespace
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace and object_pages(p.url_patterns)
    }


def test_every_app_with_object_pages_declares_their_tenancy():
    declared = set(import_page_declarations())
    missing = _apps_with_object_pages() - declared - NOT_PAGES
    assert not missing, f"apps with object pages and no PageTenancy (core.tests.harness): {missing}"


def test_the_enumeration_finds_the_apps():
    assert {
        "web",
        "registry",
        "assessments",
        "traceability",
        "ledger",
        "declarations",
    } <= _apps_with_object_pages()
