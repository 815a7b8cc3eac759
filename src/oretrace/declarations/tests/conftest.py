"""Fixtures for the template readers: the real RMI files, read once per session."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from oretrace.core.tests.scopes import shared_rows
from oretrace.declarations.rmi import ParsedDeclaration, parse_template

# A day after every real declaration's effective date, so that the date checks are stable.
TODAY = date(2024, 8, 1)
SHARED_DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data"


@pytest.fixture(scope="session", autouse=True)
def _filled_blanks_shared(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The folder where test_generated's ``fill`` keeps filled blanks for every worker of the
    run: under pytest-xdist, the folder of the run that holds each worker's own."""
    from oretrace.declarations.tests import test_generated

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / "filled-blanks"
    folder.mkdir(exist_ok=True)
    test_generated.FILLED_FOLDER[:] = [folder]


@pytest.fixture
def templates_dir(shared_data: Path) -> Path:
    return shared_data / "rmi-templates"


@pytest.fixture
def parse_file(templates_dir: Path):
    def parse(relative: str, today: date = TODAY) -> ParsedDeclaration:
        path = templates_dir / relative
        return parse_template(path.read_bytes(), path.name, today=today)

    return parse


@pytest.fixture(scope="module")
def registry_loaded(django_db_setup, django_db_blocker):
    """The Smelter Look-up of the blank CMRT 6.4 imported as reference facilities.

    Imported once per test module (it takes seconds), and kept in a transaction that is rolled
    back after the module's last test; each test's own writes are rolled back after it.
    """
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    with shared_rows(django_db_blocker):
        yield _import_registry(SHARED_DATA)


def _import_registry(shared_data: Path):
    from oretrace.core.choices import Role
    from oretrace.core.models import Membership
    from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
    from oretrace.registry.services.reference_lists import import_reference_file

    curator: Membership = MembershipFactory.create(
        organisation=OrganisationFactory.create(), roles=[Role.ADMIN]
    )
    curator.user.is_staff = True
    curator.user.save()
    path = shared_data / "rmi-templates" / "blank" / "RMI_CMRT_6.4.xlsx"
    import_reference_file(path.read_bytes(), path.name, actor=curator)
    return curator


@pytest.fixture
def filled(templates_dir: Path):
    """The bytes of one of the real filled CMRT 6.4 files, by a part of its name."""

    def read(part: str) -> tuple[str, bytes]:
        (path,) = [p for p in (templates_dir / "filled").iterdir() if part in p.name]
        return path.name, path.read_bytes()

    return read
