"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

SHARED_DATA = Path(__file__).resolve().parent.parent / "shared" / "data"


def pytest_configure(config: pytest.Config) -> None:
    _static_files_found_once()
    _worker_folders()


def _static_files_found_once() -> None:
    """WhiteNoise lists the static files once per test process, not once per test client.

    Each ``django.test.Client`` builds its own middleware chain, and WhiteNoise (``DEBUG`` is
    off under tests, so it does not look files up per request) walks every static file the
    finders know when it is built: ~190 files, 8-12 ms, for each of the ~2,000 clients of the
    suite. The files do not change while the tests run; what is found is kept per settings that
    decide it (a test that overrides them gets its own listing) and copied into each new
    middleware, which serves them exactly as before.
    """
    from django.conf import settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    walk = WhiteNoiseMiddleware.add_files_from_finders
    found: dict[tuple[str, ...], dict[str, Any]] = {}

    def add_files_from_finders(self: WhiteNoiseMiddleware) -> None:
        key = (  # what decides the files found and the headers each is served with
            self.static_prefix,
            repr(settings.STATICFILES_DIRS),
            repr(settings.STATICFILES_FINDERS),
            repr(settings.INSTALLED_APPS),
            repr(settings.STORAGES),
            repr(settings.DEBUG),
            *(f"{name}={getattr(settings, name)!r}" for name in dir(settings) if "NOISE" in name),
        )
        if key not in found:
            before = dict(self.files)
            walk(self)
            found[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        else:
            self.files.update(found[key])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders  # type: ignore[method-assign]


def _worker_folders() -> None:
    """Under pytest-xdist, each worker writes its files in a folder of its own.

    The settings' data folder (uploads, the ledger's key and published checkpoints) is shared by
    default (``ORETRACE_DATA_DIR=var/test``, or whatever CI sets): two workers would generate the
    ledger key at the same time, and see each other's published checkpoints. Each worker's
    database is its own already (pytest-django: in memory on SQLite, ``test_oretrace_gw0`` … on
    PostgreSQL).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "oretrace.core.sqlite" and not database["TEST"].get("NAME"):
        # pytest-django keeps Django's own SQLite backend in memory per worker, but takes ours
        # for a server database and names a file "test_<path>_gw0": say "in memory" outright.
        database["TEST"]["NAME"] = ":memory:"

    settings.DATA_DIR = Path(settings.DATA_DIR) / worker
    settings.MEDIA_ROOT = Path(settings.MEDIA_ROOT) / worker
    key = Path(settings.ORETRACE_LEDGER_KEY_PATH)
    settings.ORETRACE_LEDGER_KEY_PATH = key.parent / worker / key.name
    if settings.ORETRACE_LEDGER_PUBLISH_DIR:
        settings.ORETRACE_LEDGER_PUBLISH_DIR = Path(settings.ORETRACE_LEDGER_PUBLISH_DIR) / worker


# The longest test modules (measured alone, 2026-12-06: 10-70 s of CPU each), longest first:
# pytest-xdist (`--dist loadfile`, Makefile) hands modules out in collection order, so these
# start first and the short ones fill in around them, instead of one long module starting last
# while the other core sits idle. (`--dist loadgroup` would let modules share a worker, but
# pytest-xdist 3.8 cannot tag the node ids of pytest 9.2, so it spreads single tests instead.)
LONGEST_FIRST = (
    # these two fill the same 16 blanks with openpyxl (a few seconds each) and share them:
    # started together, each fills half (test_generated goes from the last blank)
    "src/oretrace/declarations/tests/test_export.py",
    "src/oretrace/declarations/tests/test_generated.py",
    "tests/test_cli.py",
    "tests/test_list_exports.py",
    "tests/test_roles.py",
    "tests/test_limits.py",
    "src/oretrace/ledger/tests/test_tamper.py",
    "src/oretrace/declarations/tests/test_campaigns.py",
    "src/oretrace/registry/tests/test_imports.py",
    "src/oretrace/registry/tests/test_org_lists.py",
    "tests/test_wrong_files.py",
    "src/oretrace/declarations/tests/test_export_passes.py",
    "tests/test_route_fuzz.py",
    "tests/test_configuration.py",
    "tests/architecture/test_architecture.py",
    "src/oretrace/grievances/tests/test_sms_loopback.py",
    "tests/test_catalogues.py",
    "tests/test_grievance_tenancy.py",
    "src/oretrace/declarations/tests/test_worker_crash.py",
    "tests/test_query_budgets.py",
    "src/oretrace/traceability/tests/test_epcis_hashing.py",
    "tests/test_programme_privacy.py",
)


def _module(item: pytest.Item) -> str:
    root = item.config.rootpath
    return item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else ""


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")
def pytest_collection_modifyitems_longest_first(items: list[pytest.Item]) -> None:
    """Move the longest modules to the front, after pytest-django has put the tests in Django's
    order (a stable sort: the order within each module is kept)."""
    rank = {module: index for index, module in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_module(item), len(rank)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    """With ``ORETRACE_TEST_TIMELINE=<file>``, each test appends a line to the file: worker,
    module, start and end (seconds since the epoch). How the modules fell on the workers, and
    which one ran last while the other core sat idle (``benchmarks/suite-time.md``)."""
    timeline = os.environ.get("ORETRACE_TEST_TIMELINE")
    start = time.time()
    result = yield
    if timeline:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(timeline, "a", encoding="utf-8") as out:
            out.write(f"{worker} {_module(item)} {start:.3f} {time.time():.3f}\n")
    return result


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference catalogues once per test session."""
    from oretrace.core.reference import load_countries, load_minerals, load_subdivisions

    with django_db_blocker.unblock():
        load_countries()
        load_subdivisions()
        load_minerals()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    """Load the reference catalogues again after a test whose writes were committed.

    Such a test ends by emptying every table, the catalogues loaded for the session included.
    pytest-django runs these tests last, but under pytest-xdist a worker goes on with the next
    test file, and in one process the next test of another file may be one that expects the
    catalogues without asking for them: they are loaded again after each such test.
    """
    result = yield
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    committed = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in names or "live_server" in names
    )
    if committed and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        from oretrace.core.reference import load_countries, load_minerals, load_subdivisions

        with item.config.stash[blocking_manager_key].unblock():
            load_countries()
            load_subdivisions()
            load_minerals()
    return result


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language, whatever an earlier request left active in
    the thread (a page asked in Hindi leaves Hindi active; a later mail would be in Hindi)."""
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def reference_data(transactional_db) -> None:
    """The reference catalogues, for a test whose writes are committed.

    Such a test ends by emptying every table, the catalogues loaded for the session included;
    pytest-django runs these tests last (and under xdist, the catalogues are loaded again after
    each), and each one that needs countries loads them again.
    """
    from oretrace.core.reference import load_countries, load_minerals, load_subdivisions

    load_countries()
    load_subdivisions()
    load_minerals()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


pytest_plugins = ["oretrace.core.tests.fixtures"]
