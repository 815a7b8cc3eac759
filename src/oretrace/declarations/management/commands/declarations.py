"""`oretrace declarations import PATH… --user EMAIL`: import supplier declarations from a
terminal, files or whole folders, with a progress bar and one line per file."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction
from oretrace.core.management.support import collect_files, member_for
from oretrace.declarations.imports import SUFFIXES, FileOutcome, import_declaration
from oretrace.declarations.models import ImportBatch, Supplier
from oretrace.registry.reviews import matcher_for


def _note(batch: ImportBatch, index: int, outcome: FileOutcome) -> None:
    """Note a file's outcome in the batch; a killed command leaves a true record behind."""
    batch.files[index].update(outcome.as_json())
    batch.save(update_fields=["files", "updated_at"])


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
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                organisation=member.organisation,
                created_by=member.user,
                supplier=supplier,
                source="cli",
                files=[
                    {"filename": p.name, "path": str(p), "outcome": "pending", "message": ""}
                    for p in files
                ],
            )
            log_change(batch, action=ChangeAction.CREATE, actor=member)
        counts = {"imported": 0, "duplicate": 0, "refused": 0}
        matcher = matcher_for(member)
        for n, path in enumerate(files, start=1):
            self._bar(n - 1, len(files), path.name, bool(options["quiet"]))
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from None
            outcome = import_declaration(
                data,
                path.name,
                actor=member,
                supplier=supplier,
                batch=batch,
                matcher=matcher,
                record=partial(_note, batch, n - 1),  # with the file's import, if imported
            )
            counts[outcome.outcome] += 1
            self._clear(bool(options["quiet"]))
            line = f"[{n}/{len(files)}] {path.name}: {outcome.outcome} — {outcome.message}"
            (self.stderr if outcome.outcome == "refused" else self.stdout).write(line)
        self._bar(len(files), len(files), "done", bool(options["quiet"]))
        self._clear(bool(options["quiet"]))
        self.stdout.write(
            f"{counts['imported']} imported, {counts['duplicate']} already imported, "
            f"{counts['refused']} refused (batch #{batch.pk})"
        )
        if counts["refused"]:
            raise CommandError(f"{counts['refused']} of {len(files)} file(s) were refused")

    @staticmethod
    def _bar(done: int, total: int, name: str, quiet: bool) -> None:
        if quiet or not sys.stdout.isatty():
            return
        filled = int(20 * done / max(total, 1))
        sys.stdout.write(f"\r[{'#' * filled}{'.' * (20 - filled)}] {done}/{total} {name[:40]}")
        sys.stdout.flush()

    @staticmethod
    def _clear(quiet: bool) -> None:
        if not quiet and sys.stdout.isatty():
            sys.stdout.write("\r\033[K")
