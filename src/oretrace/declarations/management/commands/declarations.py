"""`oretrace declarations import PATH… --user EMAIL`: import supplier declarations from a
terminal, files or whole folders, with the job's progress bar and one line per file.

`oretrace declarations watch DIR --user EMAIL`: import the files dropped into a folder, as they
arrive, and move each to ``done/`` or ``refused/`` (``declarations.watch``).

Both go through the one import pipeline: the batch and the job of an upload, the same limits
and checks; the job runs in this process (no worker needed) and is listed on the jobs page.
"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from oretrace.core.exceptions import OretraceError
from oretrace.core.management.support import (
    FilesOnDisk,
    add_member_arguments,
    clear_bar,
    collect_files,
    member_from,
    progress_bar,
    run_here,
)
from oretrace.core.models import Job, Membership
from oretrace.core.tenancy import owned
from oretrace.declarations.models import ImportBatch, Supplier
from oretrace.declarations.services.imports import MAX_FILES, SUFFIXES, start_import
from oretrace.declarations.watch import DONE, REFUSED, FolderWatcher, Scan, watch


class Command(BaseCommand):
    help = "Supplier declarations (RMI CMRT, EMRT, AMRT, CRT) from the command line."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="import template files or folders of them",
            description="Import filled RMI templates. Each file is checked, its smelters are "
            "matched to the registry, and the same file twice is recognised.",
        )
        imp.add_argument("paths", nargs="+", type=Path, help="files or folders")
        self._who(imp)
        imp.add_argument("--quiet", action="store_true", help="no progress bar")
        wat = sub.add_parser(
            "watch",
            help="import the files dropped into a folder, as they arrive",
            description="Watch a folder: each template file dropped into it is imported once "
            "its size stops changing, then moved to done/ or to refused/ with a .reason.txt "
            "file. Runs until stopped (Ctrl-C, SIGTERM), or with --once until the folder is "
            "empty.",
        )
        wat.add_argument("folder", type=Path, help="the folder to watch")
        self._who(wat)
        wat.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds between two looks at the folder "
            "(default: ORETRACE_WATCH_INTERVAL_SECONDS)",
        )
        wat.add_argument(
            "--settle",
            type=float,
            default=None,
            help="seconds a file's size must stand still before it is taken "
            "(default: ORETRACE_WATCH_SETTLE_SECONDS)",
        )
        wat.add_argument(
            "--once", action="store_true", help="import what is there, then stop (for cron)"
        )

    @staticmethod
    def _who(parser: argparse.ArgumentParser) -> None:
        add_member_arguments(parser, user="e-mail of the importing member")
        parser.add_argument(
            "--supplier",
            default="",
            help="name of the supplier every file is from (default: the company name in each file)",
        )

    def handle(self, *args: object, **options: object) -> None:
        member = member_from(options)
        supplier = self._supplier(member, str(options["supplier"]))
        if options["action"] == "watch":
            self._watch(member, supplier, options)
        else:
            self._import(member, supplier, options)

    @staticmethod
    def _supplier(member: Membership, name: str) -> Supplier | None:
        if not name:
            return None
        supplier: Supplier | None = owned(
            Supplier.objects.filter(name__iexact=name), member
        ).first()
        if supplier is None:
            raise CommandError(f"no supplier named {name!r} in {member.organisation}")
        return supplier

    # --- import -----------------------------------------------------------------------------

    def _import(
        self, member: Membership, supplier: Supplier | None, options: dict[str, object]
    ) -> None:
        files = collect_files(options["paths"], set(SUFFIXES))  # type: ignore[arg-type]
        if len(files) > MAX_FILES:
            raise CommandError(
                f"{len(files)} files at once; the limit is {MAX_FILES} per batch, as for an "
                "upload: import the folder in parts"
            )
        quiet = bool(options["quiet"])
        try:
            # The batch and job of an upload; the job runs here, with its progress as a bar.
            batch = start_import(
                FilesOnDisk(files),
                actor=member,
                supplier=supplier,
                source="cli",
            )
            job = self._run(batch, quiet)
        except OretraceError as exc:
            raise CommandError(str(exc)) from exc
        batch.refresh_from_db()
        for n, entry in enumerate(batch.files, start=1):
            line = (
                f"[{n}/{len(files)}] {entry['filename']}: {entry['outcome']} — {entry['message']}"
            )
            (self.stderr if entry["outcome"] == "refused" else self.stdout).write(line)
        counts = {
            outcome: sum(f["outcome"] == outcome for f in batch.files)
            for outcome in ("imported", "duplicate", "refused")
        }
        self.stdout.write(
            f"{counts['imported']} imported, {counts['duplicate']} already imported, "
            f"{counts['refused']} refused (batch #{batch.pk}, job #{job.pk}: {job.status})"
        )
        if job.status == "failed" and not counts["refused"]:
            raise CommandError(f"the import job #{job.pk} failed: {job.error.splitlines()[0]}")
        if counts["refused"]:
            raise CommandError(f"{counts['refused']} of {len(files)} file(s) were refused")

    def _run(self, batch: ImportBatch, quiet: bool) -> Job:
        if batch.job is None:  # every batch has its job; a type guard
            raise CommandError(f"import batch #{batch.pk} has no job")
        try:
            return run_here(batch.job, listener=lambda p, m: progress_bar(p, m, quiet))
        finally:
            clear_bar(quiet)

    # --- watch ------------------------------------------------------------------------------

    def _watch(
        self, member: Membership, supplier: Supplier | None, options: dict[str, object]
    ) -> None:
        folder = Path(options["folder"])  # type: ignore[arg-type]
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        interval = options["interval"]
        settle = options["settle"]
        try:
            watcher = FolderWatcher(
                folder,
                actor=member,
                supplier=supplier,
                settle_seconds=settings.ORETRACE_WATCH_SETTLE_SECONDS
                if settle is None
                else float(settle),  # type: ignore[arg-type]
            )
        except OretraceError as exc:
            raise CommandError(str(exc)) from exc
        stopping: list[bool] = []

        def stop(_signum: int, _frame: FrameType | None) -> None:
            stopping.append(True)

        previous = signal.signal(signal.SIGTERM, stop)
        self.stdout.write(
            f"watching {folder} as {member.user.email} of {member.organisation} (Ctrl-C to stop)"
            if not options["once"]
            else f"importing what is in {folder}"
        )
        try:
            watch(
                watcher,
                interval=settings.ORETRACE_WATCH_INTERVAL_SECONDS
                if interval is None
                else float(interval),  # type: ignore[arg-type]
                once=bool(options["once"]),
                on_scan=self._report,
                on_error=lambda exc: self.stderr.write(f"{folder}: {exc}"),
                listener=lambda p, m: progress_bar(p, m, False),
                stop=lambda: bool(stopping),
            )
        except KeyboardInterrupt:
            self.stdout.write("stopped")
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _report(self, scan: Scan) -> None:
        clear_bar(False)
        if scan.batch is None:
            return
        job = scan.job
        self.stdout.write(
            f"batch #{scan.batch.pk}"
            + (f", job #{job.pk} {job.status}" if job is not None else "")
            + f": {len(scan.moved[DONE])} to done/, {len(scan.moved[REFUSED])} to refused/"
        )
        for entry in scan.batch.files:
            if entry["outcome"] == "refused":
                self.stderr.write(f"  {entry['filename']}: refused — {entry['message']}")
