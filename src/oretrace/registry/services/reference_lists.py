"""Reference imports: a Smelter Look-up sheet or an RMI facility-list export, from the user's
own file (the lists are copyrighted and never bundled), and CFSI-to-CID translation tables.

Upload → job → parse (pure, ``reference_files``) → writes through the services, in steps of
``IMPORT_STEP`` facilities, each its own short transaction: on SQLite the database has one
writer, and a whole list in one transaction (tens of seconds on a busy machine) kept every other
write waiting past its busy timeout (a page's session, a supplier's upload: "database is
locked"), and hid the job's progress until the end. The import's record is written first and
marked ``complete`` by the last step (the delisting, the counts, the re-matching), so a run that
stopped halfway is taken up again by the next (the job run again, or the same file uploaded
again): each step only brings facilities up to the file, so doing one twice changes nothing.
The same file twice (same SHA-256) is recognised and changes nothing; a facility that
disappears from a newer snapshot of its list is marked delisted, never deleted.

Two scopes, one import function (``import_reference_file``):

- **Shared** (a platform curator, a staff user): the list feeds the reference facilities that
  every organisation sees and matches against. Curators alone change them.
- **An organisation's own** (its administrator): the list feeds facilities private to that
  organisation, as if it had recorded them itself. A facility the shared registry already
  holds (same smelter ID) is left to it and not copied; one it lacks becomes the
  organisation's own, with the list's names, metals, identifiers and (as the organisation's
  own entries) statuses. Nothing another organisation sees changes, so an administrator cannot
  alter anyone's registry but their own. Snapshots, "older" and "delisted" are counted within
  the organisation's own imports. When a curator later loads the same facility into the
  shared registry, the organisation's copy is folded into it (``fold_into_reference``), so
  its matching sees one facility per smelter ID again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from oretrace.core.actors import SystemActor
from oretrace.core.changelog import update_and_log
from oretrace.core.jobs import start_job
from oretrace.core.models import Job, Membership
from oretrace.core.progress import Progress, no_progress
from oretrace.core.stored_text import StoredText
from oretrace.core.tenancy import owned, owned_by
from oretrace.core.uploads import keep_upload
from oretrace.registry import services
from oretrace.registry.choices import IdentifierScheme
from oretrace.registry.exceptions import RegistryError
from oretrace.registry.models import (
    FacilityListing,
    ReferenceImport,
)
from oretrace.registry.permissions import can_load_reference_lists, is_curator, require_curator
from oretrace.registry.reference_files import (
    ReferenceFile,
    ReferenceFileError,
    ReferenceRow,
    load_id_translation,
    read_reference_file,
)
from oretrace.registry.services.reference_steps import ImportStep
from oretrace.registry.services.reviews import schedule_rematch_everywhere

# What each count of an import means, for people (the keys stay stable for the API).
COUNT_LABELS = {
    "rows": _("rows read"),
    "facilities": _("facilities in the file"),
    "created": _("new facilities"),
    "updated": _("facilities updated"),
    "unchanged": _("unchanged"),
    "names_added": _("names added"),
    "statuses_added": _("statuses added"),
    "delisted": _("no longer listed"),
    "skipped": _("skipped"),
    "shared": _("already in the shared registry"),
    "folded": _("organisations' copies folded into the shared registry"),
}
MAX_ERRORS_SHOWN = 20
# Facilities written per transaction (a step takes well under a second on SQLite).
IMPORT_STEP = 25
REFERENCE_IMPORT = "registry.import_reference"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a reference file (template or RMI list export)
UPLOAD_DIR = "registry-imports"


def counts_text(counts: dict[str, int]) -> StoredText:
    """An import's counts as one line in the reader's language ("new facilities: 12, …"):
    each label is a msgid of ``COUNT_LABELS``, a count without a label is shown by its code."""
    parts = []
    for code, value in counts.items():
        label = COUNT_LABELS.get(code)
        shown = StoredText.marked(label) if label is not None else code
        parts.append(StoredText.of("%(label)s: %(value)s", label=shown, value=value))
    return StoredText.joined(*parts)


@dataclass
class ImportOutcome:
    record: ReferenceImport
    already_imported: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_upload(data: bytes, filename: str) -> str:
    """Keep an uploaded file for the worker; returns its path relative to MEDIA_ROOT."""
    return keep_upload(data, filename, UPLOAD_DIR)


def is_shared_import(actor: Membership | SystemActor) -> bool:
    """A curator's import feeds the shared registry; an administrator's, their organisation's."""
    return is_curator(actor)


def _earlier_imports(actor: Membership, *, shared: bool) -> QuerySet[ReferenceImport]:
    """The imports of the same scope: the shared ones, or the actor's organisation's own."""
    if shared:
        return ReferenceImport.objects.filter(shared=True)
    return owned(ReferenceImport.objects.filter(shared=False), actor)


def start_reference_import(data: bytes, filename: str, *, actor: Membership) -> Job:
    """Check the file is new and the actor may import, then run the import as a job."""
    can_load_reference_lists.require(actor)
    if not data:
        raise RegistryError(f"{filename} is empty")
    shared = is_shared_import(actor)
    earlier = _earlier_imports(actor, shared=shared).filter(complete=True)
    existing = earlier.filter(sha256=_sha256(data)).first()
    if existing is not None:
        raise RegistryError(
            f"{filename} was already imported on "
            f"{existing.created_at:%Y-%m-%d %H:%M} as {existing.filename}; "
            "importing it again would change nothing"
        )
    path = store_upload(data, filename)
    return start_job(
        REFERENCE_IMPORT,
        actor=actor,
        params={"path": path, "filename": filename},
        title=StoredText.of("Import reference list %(file)s", file=filename[:150]),
    )


def import_reference_file(
    data: bytes,
    filename: str,
    *,
    actor: Membership,
    progress: Progress = no_progress,
    job: Job | None = None,
    hold: Callable[[], None] = lambda: None,
) -> ImportOutcome:
    """Import one reference file, in steps (see the module); a file seen before changes nothing,
    one whose import stopped halfway is taken up where it was. ``hold`` is called inside each
    step's transaction (a job's ``ctx.hold``: the step commits only while the run holds the job).

    The one entry point of every reference-list import (web, job, CLI, demo): a curator's goes
    to the shared registry, an organisation administrator's to the organisation's own.
    """
    can_load_reference_lists.require(actor)
    shared = is_shared_import(actor)
    digest = _sha256(data)
    existing = _earlier_imports(actor, shared=shared).filter(sha256=digest).first()
    if existing is not None and existing.complete:
        progress(
            100,
            StoredText.of(
                "%(file)s was already imported as %(earlier)s: nothing to do",
                file=filename,
                earlier=existing.filename,
            ),
        )
        return ImportOutcome(existing, already_imported=True, counts=dict(existing.counts))
    try:
        parsed = read_reference_file(data, filename)
    except ReferenceFileError as exc:
        raise RegistryError(str(exc)) from None
    if parsed.errors:
        shown = "; ".join(parsed.errors[:MAX_ERRORS_SHOWN])
        more = len(parsed.errors) - MAX_ERRORS_SHOWN
        raise RegistryError(f"{filename}: {shown}" + (f" (and {more} more)" if more > 0 else ""))
    progress(
        5,
        StoredText.of(
            "%(count)s row read from sheet '%(sheet)s' (%(source)s)",
            "%(count)s rows read from sheet '%(sheet)s' (%(source)s)",
            count=len(parsed.rows),
            sheet=parsed.sheet,
            source=parsed.source,
        ),
    )
    return _import_rows(parsed, filename, digest, actor, progress, job, hold, unfinished=existing)


def _list_key(kind: str, template: str) -> str:
    return f"{kind}:{template or 'RMI'}"


def _import_rows(
    parsed: ReferenceFile,
    filename: str,
    digest: str,
    actor: Membership,
    progress: Progress,
    job: Job | None,
    hold: Callable[[], None],
    unfinished: ReferenceImport | None = None,
) -> ImportOutcome:
    record = unfinished or ReferenceImport.objects.create(
        organisation=actor.organisation,
        created_by=actor.user,
        filename=filename[:300],
        sha256=digest,
        list_key=_list_key(parsed.kind, parsed.template),
        source=parsed.source[:200],
        version=parsed.version[:20],
        job=job,
        warnings=list(parsed.warnings),
        shared=is_shared_import(actor),
        complete=False,
    )
    record.is_older = _is_older(record)
    # Organisations' own copies can only exist where an organisation loaded a list.
    record.org_lists_exist = ReferenceImport.objects.filter(shared=False).exists()  # type: ignore[attr-defined]
    if record.is_older:
        record.warnings.append(
            f"a newer {parsed.template or 'RMI'} snapshot was imported before: this one only "
            "adds the names and facilities that are missing"
        )
    groups: dict[str, list[ReferenceRow]] = {}
    for row in parsed.rows:
        if not row.facility_id:
            record.warnings.append(f"row {row.row}: '{row.name}' has no smelter ID; skipped")
            continue
        groups.setdefault(row.facility_id, []).append(row)
    counts = dict.fromkeys(
        (
            "facilities",
            "created",
            "updated",
            "unchanged",
            "names_added",
            "statuses_added",
            "delisted",
            "skipped",
            "shared",
            "folded",
        ),
        0,
    )
    counts["rows"] = len(parsed.rows)
    seen: set[int] = set()
    ordered = sorted(groups.items())
    for start in range(0, len(ordered), IMPORT_STEP):
        step = ordered[start : start + IMPORT_STEP]
        with transaction.atomic():  # one short write at a time: see the module
            hold()  # commits only while this run still holds its job
            writes = ImportStep(record, actor, step)  # reads what the registry holds of them
            for cid, rows in step:
                _import_facility(cid, rows, writes, counts)
            seen.update(writes.finish())  # one bulk write per table, and the change log
        done = start + len(step)
        said = StoredText.of(
            "%(done)s of %(count)s facility",
            "%(done)s of %(count)s facilities",
            done=done,
            count=len(ordered),
        )
        # a line in the job's messages every 100 facilities; the percentage at every step
        progress(5 + 90 * done / len(ordered), said if done % 100 == 0 else None)
    counts["facilities"] = len(seen)
    with transaction.atomic():
        hold()
        if not record.is_older:
            counts["delisted"] = _delist(record, seen, actor)
        record.counts = counts
        record.complete = True
        record.save(update_fields=["counts", "warnings", "is_older", "complete", "updated_at"])
        # Names waiting for review, and what was derived from matches, catch up with the new
        # list in the background (one job per organisation, queued when this commits).
        schedule_rematch_everywhere(
            reason=StoredText.of("reference list %(file)s", file=record.filename[:150])
        )
    progress(100, counts_text(counts))
    return ImportOutcome(record, counts=counts)


def _version_number(version: str) -> Decimal:
    """RMI numbers versions as decimals: 6.01 < 6.1 < 6.22 < 6.31 < 6.4 < 6.5."""
    try:
        return Decimal(version)
    except InvalidOperation:
        return Decimal(0)


def _is_older(record: ReferenceImport) -> bool:
    """True when a newer snapshot of the same list was imported before this one.

    Template snapshots compare by template version; snapshots without one (facility-list
    exports) are taken in the order they are imported.
    """
    if not record.version:
        return False
    mine = _version_number(record.version)
    scope = ReferenceImport.objects.filter(shared=record.shared)
    if not record.shared:
        scope = owned_by(scope, record.organisation_id)
    earlier = scope.filter(list_key=record.list_key).exclude(pk=record.pk)
    return any(_version_number(v) > mine for v in earlier.values_list("version", flat=True) if v)


def _import_facility(
    cid: str, rows: list[ReferenceRow], step: ImportStep, counts: dict[str, int]
) -> None:
    """Bring one facility up to its rows in the file; written with its step
    (``reference_steps``: in bulk, the same rows and change-log entries as the services)."""
    step.add(cid, rows, counts)


def _delist(record: ReferenceImport, seen: set[int], actor: Membership) -> int:
    """Mark the facilities this (newest) snapshot no longer lists; never delete them."""
    owner = (
        Q(facility__organisation__isnull=True)
        if record.shared
        else Q(facility__organisation_id=record.organisation_id)
    )
    gone = FacilityListing.objects.filter(
        owner, list_key=record.list_key, delisted_by__isnull=True
    ).exclude(facility_id__in=seen)
    count = 0
    gone = gone.select_related("facility__organisation")
    for listing in gone:
        update_and_log(
            listing, actor=actor, organisation=listing.facility.organisation, delisted_by=record
        )
        count += 1
    return count


@transaction.atomic
def import_id_translation(
    data: bytes, filename: str, *, actor: Membership | SystemActor
) -> dict[str, int]:
    """Attach old CFSI smelter IDs (e.g. 1JPN072) to the facilities that now hold the CID."""
    require_curator(actor)
    try:
        table = load_id_translation(data)
    except ReferenceFileError as exc:
        raise RegistryError(str(exc)) from None
    counts = {"mapped": 0, "already": 0, "unknown_cid": 0}
    for old, cid in sorted(table.items()):
        facility = services.find_by_identifier(IdentifierScheme.RMI_CID, cid)
        if facility is None:
            counts["unknown_cid"] += 1
            continue
        if services.find_by_identifier(IdentifierScheme.CFSI_LEGACY, old) is not None:
            counts["already"] += 1
            continue
        services.add_identifier(
            facility, scheme=IdentifierScheme.CFSI_LEGACY, value=old, actor=actor, source=filename
        )
        counts["mapped"] += 1
    if counts["mapped"]:
        schedule_rematch_everywhere(
            reason=StoredText.of("smelter ID translation %(file)s", file=filename[:150])
        )
    return counts
