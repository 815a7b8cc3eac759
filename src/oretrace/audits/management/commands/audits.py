"""``oretrace audits programmes check FILE…`` / ``list`` / ``install [FILE] [--organisation]``.

``check`` reads programme files without the database: what a programme's author runs before
installing a new version. Other topics of the audits app may be added as sub-commands beside
``programmes``.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from oretrace.audits.models import ProgrammeVersion
from oretrace.audits.programmes import Programme, ProgrammeError, parse
from oretrace.audits.services import programmes
from oretrace.core.actors import SystemActor
from oretrace.core.exceptions import OretraceError
from oretrace.core.models import Organisation

ACTOR = SystemActor("cli")


def describe(p: Programme) -> str:
    """One line about a programme file that reads well: its key, grades and fingerprint."""
    grades = ", ".join(g.code for g in p.grades)
    return f"{p.code} {p.version}: {len(p.grades)} grades ({grades}), rules {p.fingerprint[:16]}"


class Command(BaseCommand):
    help = "Audit programmes: check programme files, list and install programme versions."

    def add_arguments(self, parser: ArgumentParser) -> None:
        topics = parser.add_subparsers(dest="topic", required=True)
        programme = topics.add_parser("programmes", help="Audit programme files and versions.")
        actions = programme.add_subparsers(dest="action", required=True)
        check = actions.add_parser("check", help="Check programme files (no database needed).")
        check.add_argument("files", type=Path, nargs="+")
        actions.add_parser("list", help="List the installed programme versions.")
        install = actions.add_parser(
            "install", help="Install a programme file, or without FILE the shipped programmes."
        )
        install.add_argument("file", type=Path, nargs="?")
        install.add_argument("--organisation", help="Owner's slug (needed with FILE).")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['topic']}_{options['action']}")(options)

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None

    def _programmes_check(self, options: dict[str, Any]) -> None:
        refused = []
        for path in options["files"]:
            try:
                self.stdout.write(f"{path}: {describe(parse(self._read(path), str(path)))}")
            except ProgrammeError as error:
                refused.append(str(error))
                self.stderr.write(str(error))
        if refused:
            count = len(refused)
            raise CommandError(f"{count} of {len(options['files'])} file(s) refused")

    def _programmes_list(self, options: dict[str, Any]) -> None:
        rows = ProgrammeVersion.objects.select_related("organisation").order_by("code", "version")
        for row in rows:
            owner = row.organisation.slug if row.organisation else "shipped"
            self.stdout.write(f"{row.code} {row.version}  {owner}  rules {row.fingerprint[:16]}")

    def _programmes_install(self, options: dict[str, Any]) -> None:
        path: Path | None = options["file"]
        if path is None:
            installed = programmes.install_shipped(ACTOR)
            names = ", ".join(f"{v.code} {v.version}" for v in installed) or "nothing new"
            self.stdout.write(f"installed: {names}")
            return
        slug = options["organisation"]
        owner = Organisation.objects.filter(slug=slug).first() if slug else None
        if owner is None:
            raise CommandError("give the owning organisation's slug with --organisation SLUG")
        try:
            text = self._read(path).decode("utf-8")
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text") from None
        try:
            version, new = programmes.install_programme(
                text, name=path.name, actor=ACTOR, organisation=owner
            )
        except OretraceError as error:
            raise CommandError(str(error)) from None
        said = "installed" if new else "already installed, nothing changed"
        self.stdout.write(f"{version.code} {version.version}: {said}")
