"""`oretrace declarations import PATH… --user EMAIL`: import supplier declarations from a
terminal, files or whole folders, with a progress bar and one line per file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from oretrace.core.management.support import collect_files, member_for
from oretrace.declarations import services
from oretrace.declarations.models import Supplier
from oretrace.declarations.services.imports import SUFFIXES, run_batch


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
        imp.add_argument("--user", required=True, help="e-mail of the importing member")
        imp.add_argument(
            "--organisation",
            default="",
            help="slug of the organisation (default: the user's first)",
        )
        imp.add_argument(
            "--supplier",
            default="",
            help="name of the supplier every file is from (default: the company name in each file)",
        )
        imp.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: object, **options: object) -> None:
        member = member_for(str(options["user"]), str(options["organisation"]))
        files = collect_files(options["paths"], set(SUFFIXES))  # type: ignore[arg-type]
        supplier = None
        if options["supplier"]:
            supplier = Supplier.objects.filter(
                organisation_id=member.organisation_id, name__iexact=str(options["supplier"])
            ).first()
            if supplier is None:
                raise CommandError(
                    f"no supplier named {options['supplier']!r} in {member.organisation}"
                )
        batch = services.open_batch(actor=member, paths=files, supplier=supplier, source="cli")
        quiet = bool(options["quiet"])
        # The same loop as the worker's: each file's outcome is saved with its import, so a
        # command killed halfway leaves a true record behind.
        counts = run_batch(
            batch, actor=member, progress=lambda percent, name: self._bar(percent, name, quiet)
        )
        self._clear(quiet)
        batch.refresh_from_db()
        for n, entry in enumerate(batch.files, start=1):
            line = (
                f"[{n}/{len(files)}] {entry['filename']}: {entry['outcome']} — {entry['message']}"
            )
            (self.stderr if entry["outcome"] == "refused" else self.stdout).write(line)
        self.stdout.write(
            f"{counts['imported']} imported, {counts['duplicate']} already imported, "
            f"{counts['refused']} refused (batch #{batch.pk})"
        )
        if counts["refused"]:
            raise CommandError(f"{counts['refused']} of {len(files)} file(s) were refused")

    @staticmethod
    def _bar(percent: float, name: str, quiet: bool) -> None:
        if quiet or not sys.stdout.isatty():
            return
        filled = int(20 * percent / 100)
        sys.stdout.write(f"\r[{'#' * filled}{'.' * (20 - filled)}] {percent:3.0f}% {name[:40]}")
        sys.stdout.flush()

    @staticmethod
    def _clear(quiet: bool) -> None:
        if not quiet and sys.stdout.isatty():
            sys.stdout.write("\r\033[K")
