"""`oretrace import_reference FILE… --user EMAIL`: import reference lists from a terminal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from oretrace.core.management.support import add_member_arguments, collect_files, member_from
from oretrace.registry.exceptions import RegistryError
from oretrace.registry.services.reference_lists import import_id_translation, import_reference_file

SUFFIXES = {".xlsx", ".xls", ".xlsm", ".csv"}


class Command(BaseCommand):
    help = (
        "Import Smelter Look-up sheets of RMI templates, RMI facility-list exports (files "
        "or folders), and CFSI-to-CID translation tables: as a curator (staff user) into the "
        "shared registry, or as an organisation's administrator into its own registry."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="files or folders")
        add_member_arguments(
            parser,
            user="e-mail of a curator (a staff user) or of an organisation's administrator",
            organisation="slug of the organisation that keeps the import records "
            "(default: the user's first)",
        )
        parser.add_argument(
            "--id-translation",
            action="store_true",
            help="the files are CFSI-to-CID translation tables",
        )

    def handle(self, *args: object, **options: object) -> None:
        member = member_from(options)
        files = collect_files(options["paths"], SUFFIXES)  # type: ignore[arg-type]
        failed = 0
        for n, path in enumerate(files, start=1):
            prefix = f"[{n}/{len(files)}] {path.name}"
            try:
                if options["id_translation"]:
                    counts = import_id_translation(path.read_bytes(), path.name, actor=member)
                    self.stdout.write(f"{prefix}: " + self._summary(counts))
                    continue
                outcome = import_reference_file(
                    path.read_bytes(), path.name, actor=member, progress=self._bar(prefix)
                )
            except RegistryError as exc:
                failed += 1
                self.stderr.write(f"\n{prefix}: {exc}")
                continue
            sys.stdout.write("\n")
            if outcome.already_imported:
                self.stdout.write(
                    f"{prefix}: already imported as {outcome.record.filename} — nothing changed"
                )
            else:
                self.stdout.write(f"{prefix}: " + self._summary(outcome.counts))
                for warning in outcome.record.warnings[:10]:
                    self.stdout.write(f"  warning: {warning}")
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) could not be imported")

    @staticmethod
    def _summary(counts: dict[str, int]) -> str:
        return ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items())

    def _bar(self, prefix: str):  # type: ignore[no-untyped-def]
        def show(percent: float, _message: str) -> None:
            filled = int(percent / 5)
            sys.stdout.write(f"\r{prefix} [{'#' * filled}{'.' * (20 - filled)}] {percent:3.0f}%")
            sys.stdout.flush()

        return show
