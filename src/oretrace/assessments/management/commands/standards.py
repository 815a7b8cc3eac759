"""``oretrace standards import FILE`` / ``export CODE [VERSION]`` / ``list`` / ``install``."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from oretrace.assessments.models import Standard
from oretrace.assessments.queries import export_standard
from oretrace.assessments.services import import_standard
from oretrace.assessments.shipped import install_shipped
from oretrace.core.actors import SystemActor
from oretrace.core.exceptions import OretraceError
from oretrace.core.models import Organisation

ACTOR = SystemActor("cli")


class Command(BaseCommand):
    help = "Import, export and list standards (YAML files)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a standard from a YAML file.")
        imp.add_argument("file", type=Path)
        imp.add_argument("--organisation", help="Owner's slug; without it, everyone sees it.")
        exp = sub.add_parser("export", help="Write a standard as YAML.")
        exp.add_argument("code")
        exp.add_argument("version", nargs="?", help="Default: the latest version.")
        exp.add_argument("--organisation", help="Owner's slug, for an organisation's own.")
        exp.add_argument("-o", "--output", type=Path, help="File to write (default: stdout).")
        sub.add_parser("list", help="List the installed standards.")
        sub.add_parser("install", help="Install the standards shipped with oretrace.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"])(options)

    def _owner(self, slug: str | None) -> Organisation | None:
        if not slug:
            return None
        owner = Organisation.objects.filter(slug=slug).first()
        if owner is None:
            raise CommandError(f"no organisation with the slug {slug!r}")
        return owner

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            standard = import_standard(
                data, organisation=self._owner(options["organisation"]), actor=ACTOR
            )
        except OretraceError as exc:
            raise CommandError(f"{path}: {exc}") from None
        self.stdout.write(
            f"imported {standard.code} {standard.version}: {standard.questions.count()} questions"
        )

    def _export(self, options: dict[str, Any]) -> None:
        found = Standard.objects.filter(
            code=options["code"], organisation=self._owner(options["organisation"])
        )
        if options["version"]:
            found = found.filter(version=options["version"])
        standard = found.order_by("-created_at").first()
        if standard is None:
            raise CommandError(f"no standard {options['code']} {options['version'] or ''}".strip())
        text = export_standard(standard)
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {options['output']}")
        else:
            self.stdout.write(text, ending="")

    def _list(self, options: dict[str, Any]) -> None:
        for s in Standard.objects.select_related("organisation").order_by("code", "version"):
            owner = s.organisation.slug if s.organisation else "(shipped)"
            self.stdout.write(f"{s.code}\t{s.version}\t{owner}\t{s.title.get('en', '')}")

    def _install(self, options: dict[str, Any]) -> None:
        installed = install_shipped(ACTOR)
        self.stdout.write(f"installed {len(installed)} shipped standard(s)")
