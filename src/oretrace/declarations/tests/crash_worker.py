"""The processes of the worker-crash test (``test_worker_crash.py``), run as
``python -m oretrace.declarations.tests.crash_worker setup FILE… | slow-worker``.

``setup`` (on a database with the reference catalogues) makes a member and starts a
declarations import of the files, as the web page does.
``slow-worker`` is ``oretrace worker`` with a pause before each file, so that the test can
``kill -9`` it between two files; production code has no hook for this.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

PAUSE_SECONDS = 1.0


def setup(paths: list[str]) -> None:
    from oretrace.core.choices import Role
    from oretrace.core.models import Membership
    from oretrace.core.tests.factories import MembershipFactory
    from oretrace.declarations.services.imports import start_import

    member: Membership = MembershipFactory(roles=[Role.COMPLIANCE_OFFICER])  # type: ignore[assignment]
    files = [(Path(p).name, Path(p).read_bytes()) for p in paths]
    batch = start_import(files, actor=member)
    sys.stdout.write(f"{batch.pk} {batch.job_id}\n")


def slow_worker() -> int:
    from oretrace.declarations.services import imports

    real = imports.import_declaration

    def slowly(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(PAUSE_SECONDS)
        return real(*args, **kwargs)

    imports.import_declaration = slowly  # type: ignore[assignment]
    from oretrace.cli import main

    return main(["worker", "--interval", "0.2"])


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oretrace.settings")
    django.setup()
    if sys.argv[1] == "setup":
        setup(sys.argv[2:])
    else:
        raise SystemExit(slow_worker())
