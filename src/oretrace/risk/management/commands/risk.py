"""`oretrace risk import KIND FILE --user EMAIL`: import a reference risk edition from a
terminal, with the job's progress bar.

The same pipeline as an upload: the file is read at once (a bad file is refused with the
reader's message), then the import job runs in this process (no worker needed) and is listed
on the jobs page. The same file twice changes nothing and says so.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from oretrace.core.actors import SYSTEM
from oretrace.core.exceptions import OretraceError
from oretrace.core.management.support import (
    add_member_arguments,
    clear_bar,
    member_from,
    progress_bar,
    run_here,
)
from oretrace.core.models import Organisation
from oretrace.risk.choices import EditionKind
from oretrace.risk.scores.services import start_recompute
from oretrace.risk.services import start_edition_import


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Reference risk data (DOL lists, the EU CAHRA list, ISO 3166) from the command line."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="import a file as a dated edition of a reference list",
            description="Import one file as an edition of KIND: "
            + "; ".join(f"{k} = {label}" for k, label in EditionKind.choices)
            + ". The same file twice changes nothing.",
        )
        imp.add_argument("kind", choices=EditionKind.values, help="which list the file is")
        imp.add_argument("file", type=Path, help="the file")
        add_member_arguments(
            imp,
            user="e-mail of the platform's operator (a staff user)",
            organisation="slug of the organisation whose membership keeps the job "
            "(default: the first)",
        )
        imp.add_argument(
            "--edition-date",
            type=_date,
            default=None,
            help="the date the edition stands for (default: the file's own, else today)",
        )
        imp.add_argument("--label", default="", help="the edition's name (default: the file's)")
        imp.add_argument(
            "--retrieved",
            type=_date,
            default=None,
            help="when the file was taken from its source (default: the file's own, else today)",
        )
        imp.add_argument("--quiet", action="store_true", help="no progress bar")
        add_scores_parser(sub)

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "scores":
            self.stdout.write(recompute_here(options))
            return
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"{path} does not exist")
        member = member_from(options)
        quiet = bool(options["quiet"])
        try:
            started = start_edition_import(
                path.read_bytes(),
                path.name,
                kind=str(options["kind"]),
                actor=member,
                edition_date=options["edition_date"],  # type: ignore[arg-type]
                label=str(options["label"]),
                retrieved_on=options["retrieved"],  # type: ignore[arg-type]
            )
        except OretraceError as exc:
            raise CommandError(str(exc)) from exc
        if started.existing is not None:
            self.stdout.write(
                f"{path.name} was already imported as #{started.existing.pk} "
                f"{started.existing} — nothing changed"
            )
            return
        if started.job is None:  # a new file always starts its job; a type guard
            raise CommandError(f"{path.name}: no import job was started")
        try:
            job = run_here(started.job, listener=lambda p, m: progress_bar(p, m, quiet))
        finally:
            clear_bar(quiet)
        if job.status != "succeeded":
            raise CommandError(f"the import job #{job.pk} {job.status}: {job.error.strip()}")
        counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in job.result.items())
        self.stdout.write(f"{path.name}: imported ({counts}) — job #{job.pk}, {job.result_url}")


# --- `oretrace risk scores --organisation SLUG [--as-of DATE]` (issue 18 §3) ------------------


def add_scores_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scores = sub.add_parser(
        "scores",
        help="recompute an organisation's risk scores as of a date",
        description="Recompute every risk score of an organisation (its facilities, those its "
        "suppliers declare, its suppliers) as of a date, as a job run here.",
    )
    scores.add_argument("--organisation", required=True, help="the organisation's slug")
    scores.add_argument(
        "--as-of", type=_date, default=None, help="the inputs' date (default: today)"
    )
    scores.add_argument("--quiet", action="store_true", help="no progress bar")


def recompute_here(options: dict[str, object]) -> str:
    """Start the recompute job for the named organisation and run it in this process."""
    organisation = Organisation.objects.filter(slug=str(options["organisation"])).first()
    if organisation is None:
        raise CommandError(f"no organisation has the slug {options['organisation']!r}")
    as_of = options["as_of"] or timezone.localdate()
    assert isinstance(as_of, date)  # noqa: S101 - argparse gives a date or None
    quiet = bool(options["quiet"])
    job = start_recompute(SYSTEM, as_of=as_of, organisation=organisation)
    try:
        job = run_here(job, listener=lambda p, m: progress_bar(p, m, quiet))
    finally:
        clear_bar(quiet)
    if job.status != "succeeded":
        raise CommandError(f"the recompute job #{job.pk} {job.status}: {job.error.strip()}")
    # In the subjects' order, whatever order the database keeps a JSON object's keys in
    # (PostgreSQL's jsonb sorts them by length).
    order = {"facilities": 0, "suppliers": 1, "lots": 2}
    rows = sorted(job.result.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    counts = ", ".join(f"{v} {k}" for k, v in rows)
    return f"{organisation.slug}: scores as of {as_of:%Y-%m-%d} ({counts}) — job #{job.pk}"
