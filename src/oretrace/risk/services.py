"""Every write of the risk app: importing a reference edition.

Upload (web, API) or command line → ``start_edition_import`` reads the file at once (a bad
file is refused before any job starts, with the reader's message) and queues the import job →
the job calls ``import_edition``, which writes the edition and its rows in one transaction
with its change-log entry, or nothing. The same file twice (same kind, same SHA-256) is
recognised and changes nothing. Editions of a kind form a chain by their date: each points
to the one dated just before it, whatever order they were imported in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.changelog import log_change, update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.jobs import start_job
from oretrace.core.models import Country, Job, Membership
from oretrace.core.progress import Progress, no_progress
from oretrace.core.stored_text import StoredText
from oretrace.core.uploads import keep_upload
from oretrace.risk.choices import EditionKind
from oretrace.risk.exceptions import EditionError
from oretrace.risk.models import ROW_MODELS, Edition, EditionRow
from oretrace.risk.permissions import can_import_editions
from oretrace.risk.sources import (
    SourceEdition,
    SourceError,
    SourceRow,
    count_rows,
    read_edition,
)

EDITION_IMPORT = "risk.import_edition"
UPLOAD_DIR = "risk-imports"
CHUNK = 500  # rows written per statement
# DOL's spellings of countries whose ISO 3166 English name differs.
DOL_NAMES = {
    "bolivia": "BO",
    "burma": "MM",
    "congo, democratic republic of the": "CD",
    "congo, republic of the": "CG",
    "côte d'ivoire": "CI",
    "cote d'ivoire": "CI",
    "falkland islands (islas malvinas)": "FK",
    "iran": "IR",
    "kosovo": "XK",
    "kyrgyz republic": "KG",
    "laos": "LA",
    "moldova": "MD",
    "north korea": "KP",
    "russia": "RU",
    "saint helena, ascension, and tristan da cunha": "SH",
    "são tomé and príncipe": "ST",
    "south korea": "KR",
    "syria": "SY",
    "taiwan": "TW",
    "tanzania": "TZ",
    "the gambia": "GM",
    "turkey": "TR",
    "turkey (türkiye)": "TR",
    "türkiye": "TR",
    "venezuela": "VE",
    "vietnam": "VN",
    "west bank and the gaza strip": "PS",
}


@dataclass
class ImportOutcome:
    """The edition a file made, or the one it already was (``already_imported``)."""

    edition: Edition
    already_imported: bool = False
    warnings: list[StoredText] = field(default_factory=list)

    @property
    def english_warnings(self) -> list[str]:
        """The warnings in English, as the CLI and the logs show them."""
        return [warning.english() for warning in self.warnings]


@dataclass
class Started:
    """What an upload started: the import's job, or the edition the file already is."""

    job: Job | None = None
    existing: Edition | None = None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _kind(kind: str) -> str:
    if kind not in EditionKind.values:
        raise EditionError(f"unknown kind {kind!r}; the kinds are {', '.join(EditionKind.values)}")
    return kind


def _existing(kind: str, data: bytes) -> Edition | None:
    edition: Edition | None = Edition.objects.filter(kind=kind, sha256=_sha256(data)).first()
    return edition


def _read(kind: str, data: bytes, filename: str) -> SourceEdition:
    try:
        return read_edition(kind, data, filename)
    except SourceError as exc:
        raise EditionError(str(exc)) from None


def store_upload(data: bytes, filename: str) -> str:
    """Keep an uploaded file for the worker; returns its path relative to MEDIA_ROOT."""
    return keep_upload(data, filename, UPLOAD_DIR)


def start_edition_import(
    data: bytes,
    filename: str,
    *,
    kind: str,
    actor: Membership,
    edition_date: date | None = None,
    label: str = "",
    retrieved_on: date | None = None,
) -> Started:
    """Check the file (the reader's error, before any job) and queue its import; a file
    imported before starts nothing and names its edition."""
    can_import_editions.require(actor)
    kind = _kind(kind)
    existing = _existing(kind, data)
    if existing is not None:
        return Started(existing=existing)
    _read(kind, data, filename)
    params = {
        "path": store_upload(data, filename),
        "filename": filename,
        "kind": kind,
        "edition_date": edition_date.isoformat() if edition_date else "",
        "label": label,
        "retrieved_on": retrieved_on.isoformat() if retrieved_on else "",
    }
    title = StoredText.of("Import the risk edition %(filename)s", filename=filename[:150])
    return Started(job=start_job(EDITION_IMPORT, actor=actor, params=params, title=title))


def import_edition(
    data: bytes,
    filename: str,
    *,
    kind: str,
    actor: Membership | SystemActor,
    edition_date: date | None = None,
    label: str = "",
    retrieved_on: date | None = None,
    publisher: str = "",
    progress: Progress = no_progress,
    job: Job | None = None,
) -> ImportOutcome:
    """Import one file as an edition of ``kind``, all or nothing; a file seen before changes
    nothing. The one entry point of every import (job, command line, demo). ``publisher``
    overrides the list's own (the demo's made-up lists say they are made up)."""
    can_import_editions.require(actor)
    kind = _kind(kind)
    existing = _existing(kind, data)
    if existing is not None:
        progress(
            100,
            StoredText.of(
                "%(file)s is already the edition %(edition)s: nothing changed",
                file=filename[:150],
                edition=str(existing),
            ),
        )
        return ImportOutcome(existing, already_imported=True)
    parsed = _read(kind, data, filename)
    progress(
        10,
        StoredText.of(
            "%(count)s row read from %(file)s",
            "%(count)s rows read from %(file)s",
            count=len(parsed.rows),
            file=filename[:150],
        ),
    )
    today = timezone.localdate()
    with transaction.atomic():
        edition = Edition.objects.create(
            kind=kind,
            publisher=(publisher or parsed.publisher)[:200],
            label=(label or parsed.label or Path(filename).stem)[:200],
            edition_date=edition_date or parsed.published or today,
            retrieved_on=retrieved_on or parsed.retrieved or today,
            filename=filename[:300],
            sha256=_sha256(data),
            counts=count_rows(kind, parsed.rows),
            imported_by=actor_user(actor),
            job=job,
        )
        warnings = [
            *map(StoredText.marked, parsed.warnings),
            *_write_rows(edition, parsed.rows, progress),
        ]
        edition.warnings = [warning.as_json() for warning in warnings]
        edition.previous = _chain(edition, actor)
        edition.save(update_fields=["warnings", "previous"])
        log_change(edition, action=ChangeAction.CREATE, actor=actor)
    progress(
        100,
        StoredText.of(
            "%(edition)s: %(count)s row",
            "%(edition)s: %(count)s rows",
            edition=str(edition),
            count=len(parsed.rows),
        ),
    )
    return ImportOutcome(edition, warnings=warnings)


def _write_rows(
    edition: Edition, rows: Sequence[SourceRow], progress: Progress
) -> list[StoredText]:
    """Write the rows in chunks; returns the warnings (country names matched to no code)."""
    model = ROW_MODELS[edition.kind]
    codes = _country_codes() if hasattr(model, "country_id") else {}
    unmatched: set[str] = set()
    for start in range(0, len(rows), CHUNK):
        batch: list[EditionRow] = []
        for row in rows[start : start + CHUNK]:
            extra = {}
            if codes:
                name = str(getattr(row, "country_name", ""))
                extra["country_id"] = codes.get(name.casefold())
                if extra["country_id"] is None:
                    unmatched.add(name)
            batch.append(model.from_source(edition, row, **extra))
        model.objects.bulk_create(batch)
        done = min(start + CHUNK, len(rows))
        written = StoredText.of(
            "%(done)s of %(count)s row written",
            "%(done)s of %(count)s rows written",
            done=done,
            count=len(rows),
        )
        progress(10 + 85 * done / len(rows), written)
    return [
        StoredText.of("No ISO 3166 country matches the name “%(name)s”: kept by name.", name=name)
        for name in sorted(unmatched)
    ]


def _country_codes() -> dict[str, str]:
    """Country names (ISO's short and official names, DOL's spellings) → alpha-2 code."""
    codes: dict[str, str] = {}
    for code, name, official in Country.objects.values_list("code", "name", "official_name"):
        codes[name.casefold()] = code
        if official:
            codes.setdefault(official.casefold(), code)
    known = set(codes.values())
    codes.update({name: code for name, code in DOL_NAMES.items() if code in known})
    return codes


def _chain(edition: Edition, actor: Membership | SystemActor) -> Edition | None:
    """Link ``edition`` into its kind's chain by date: the edition dated just after it (if one
    was imported before) now follows it; returns the one it follows."""
    same_kind = Edition.objects.filter(kind=edition.kind).exclude(pk=edition.pk)
    previous: Edition | None = (
        same_kind.filter(edition_date__lte=edition.edition_date)
        .order_by("-edition_date", "-pk")
        .first()
    )
    following: Edition | None = (
        same_kind.filter(edition_date__gt=edition.edition_date)
        .order_by("edition_date", "pk")
        .first()
    )
    if following is not None:
        update_and_log(following, actor=actor, previous=edition)
    return previous
