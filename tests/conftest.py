"""Fixtures of the project-wide tests: the demo world, built once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oretrace.core.tests.scopes import kept_rows
from route_world import World, build_world


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """The demo and its ids for the module's tests: built once per test process (it takes
    seconds) and put back for each module that asks (``kept_rows``)."""
    with kept_rows(django_db_blocker, "route-world", build_world) as world:
        yield world


@pytest.fixture
def world(module_world: World, db) -> World:
    """The module's world for one test: the members and clients of earlier tests forgotten
    (their rows were rolled back with those tests)."""
    module_world.forget()
    return module_world


@pytest.fixture
def link_token(member_a, mailoutbox, django_capture_on_commit_callbacks) -> str:
    """The token of a supplier's upload link (``/respond/<token>/``): a CMRT campaign of
    organisation A asking one supplier, Alpha."""
    from oretrace.declarations import services
    from oretrace.declarations.tests.campaigns import open_campaign

    supplier = services.create_supplier(actor=member_a, name="Alpha", email="alpha@example.com")
    _campaign, tokens = open_campaign(
        member_a, [supplier], on_commit=django_capture_on_commit_callbacks, mailoutbox=mailoutbox
    )
    return tokens[supplier.email]
