"""The import pipeline: template files in, checked declarations with matched smelters out.

Upload → `ImportBatch` + job → per file: SHA-256 (the same file twice is recognised) → parse
and the template's checks (pure, ``rmi``) → smelter rows matched against the registry
(uncertain and unknown names go to the review queue) → red flags → one transaction per file
(all or nothing) → a newer declaration from the same supplier for the same template and scope
supersedes the older one, and both are kept.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from oretrace.core.changelog import log_change, snapshot
from oretrace.core.choices import ChangeAction
from oretrace.core.jobs import start_job
from oretrace.core.models import Membership
from oretrace.core.progress import Progress, no_progress
from oretrace.core.stored_text import StoredText
from oretrace.core.tenancy import owned
from oretrace.declarations.choices import DeclarationStatus, SmelterMatch
from oretrace.declarations.choices import UploadOutcome as Outcome
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.models import (
    Declaration,
    ImportBatch,
    Issue,
    SmelterEntry,
    Supplier,
)
from oretrace.declarations.permissions import can_import_declarations
from oretrace.declarations.queries import issue_counts, registry_issues
from oretrace.declarations.rmi import (
    ParsedDeclaration,
    SmelterRow,
    TemplateError,
    parse_template,
)
from oretrace.declarations.rmi.blank import blank_message, looks_blank
from oretrace.declarations.rmi.canonical import canonical, fingerprint
from oretrace.declarations.services.rows import file_issues, match_rows, row_states
from oretrace.declarations.services.suppliers import create_supplier
from oretrace.registry.choices import MatchOutcome
from oretrace.registry.matching import Matcher, MatchResult
from oretrace.registry.origins import declaration_row
from oretrace.registry.queries import headline_statuses
from oretrace.registry.services.reviews import NameQuery, matcher_for, queue_review

UPLOAD_DIR = "declarations"
MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_FILES = 200
SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass
class FileOutcome:
    filename: str
    outcome: str  # choices.FileOutcome: imported, duplicate, refused
    message: str  # English, for the API, the CLI and logs
    declaration: Declaration | None = None
    # The message as a catalogue template and its values, shown in the reader's language.
    text: StoredText | None = None

    def as_json(self) -> dict[str, Any]:
        d = self.declaration
        return {
            "filename": self.filename,
            "outcome": self.outcome,
            "message": self.message,
            "text": self.text.as_json() if self.text else {},
            "declaration_id": d.pk if d else None,
            "errors": d.error_count if d else 0,
            "warnings": d.warning_count if d else 0,
            "flags": d.flag_count if d else 0,
        }


def require_importer(actor: Membership) -> None:
    can_import_declarations.require(actor)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_upload(data: bytes, filename: str) -> None:
    """Refuse what can never be a template before anything is stored."""
    if not filename.lower().endswith(SUFFIXES):
        raise DeclarationError(
            f"{filename}: not an Excel workbook (.xlsx, .xlsm or .xls); RMI templates are "
            "Excel files"
        )
    if not data:
        raise DeclarationError(f"{filename} is empty")
    if len(data) > MAX_FILE_BYTES:
        raise DeclarationError(
            f"{filename} is {len(data) // (1024 * 1024)} MB; the limit is "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB per file"
        )


def store_file(data: bytes, filename: str, digest: str = "") -> str:
    """Keep the supplier's file as received; returns its path relative to MEDIA_ROOT."""
    digest = digest or sha256(data)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename).name)[-100:] or "upload.xlsx"
    relative = f"{UPLOAD_DIR}/{digest[:2]}/{digest[:16]}-{safe}"
    target = Path(settings.MEDIA_ROOT) / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return relative


# --- one file ---------------------------------------------------------------------------------


def _supplier_for(
    parsed: ParsedDeclaration, member: Membership, given: Supplier | None, filename: str
) -> tuple[Supplier, bool]:
    if given is not None:
        return given, False
    name = parsed.company.name.strip() or f"Unnamed supplier ({Path(filename).stem})"
    existing = owned(Supplier.objects.filter(name__iexact=name), member).order_by("id").first()
    if existing is not None:
        return existing, False
    return create_supplier(actor=member, name=name), True


def _newer(a: Declaration, b: Declaration) -> bool:
    """Whether ``a`` is the newer declaration of the two (effective date, then arrival)."""
    ka = (a.effective_date or date.min, a.created_at, a.pk or 0)
    kb = (b.effective_date or date.min, b.created_at, b.pk or 0)
    return ka > kb


def _supersede(declaration: Declaration, member: Membership) -> list[StoredText]:
    """Link ``declaration`` and the current one it competes with; returns notes for people."""
    # The importing member's organisation is the declaration's own.
    rivals = (
        owned(Declaration.objects.filter(superseded_by__isnull=True), member)
        .filter(
            supplier_id=declaration.supplier_id,
            family=declaration.family,
            scope=declaration.scope,
        )
        .exclude(pk=declaration.pk)
    )
    notes = []
    for rival in rivals:
        if _newer(declaration, rival):
            before = snapshot(rival)
            rival.superseded_by = declaration
            rival.save(update_fields=["superseded_by", "updated_at"])
            log_change(rival, action=ChangeAction.UPDATE, actor=member, before=before)
            notes.append(
                StoredText.of(
                    "supersedes declaration #%(id)s (%(file)s)", id=rival.pk, file=rival.filename
                )
            )
        else:
            declaration.superseded_by = rival
            declaration.save(update_fields=["superseded_by", "updated_at"])
            notes.append(
                StoredText.of(
                    "is older than declaration #%(id)s (%(file)s), which stays current",
                    id=rival.pk,
                    file=rival.filename,
                )
            )
    return notes


def _summary(
    parsed: ParsedDeclaration, declaration: Declaration, counts: dict[str, int]
) -> StoredText:
    """What an imported file holds, counted in words ("1 smelter row, 2 red flags"): stored
    as templates and values with the batch, shown in the reader's language."""
    rows = len(parsed.smelters)
    parts = [
        StoredText.of("%(n)s smelter row", "%(n)s smelter rows", count=rows, n=rows),
        StoredText.of(
            "%(n)s checker error", "%(n)s checker errors", count=counts["error"], n=counts["error"]
        ),
        StoredText.of(
            "%(n)s warning", "%(n)s warnings", count=counts["warning"], n=counts["warning"]
        ),
        StoredText.of("%(n)s red flag", "%(n)s red flags", count=counts["flag"], n=counts["flag"]),
    ]
    return StoredText.of(
        "%(template)s from %(supplier)s: %(counts)s",
        template=f"{parsed.family} {parsed.version}",
        supplier=declaration.supplier,
        counts=parts,
    )


def import_declaration(
    data: bytes,
    filename: str,
    *,
    actor: Membership,
    supplier: Supplier | None = None,
    batch: ImportBatch | None = None,
    reporting_year: int | None = None,
    today: date | None = None,
    matcher: Matcher | None = None,
    record: Callable[[FileOutcome], None] | None = None,
) -> FileOutcome:
    """Import one file, all or nothing. A refused file raises nothing: its outcome says why.

    ``matcher`` is the member's registry matcher when the caller imports many files at once
    (`matcher_for`, built or checked once per batch); by default it is looked up per file.
    ``record`` is called once with the outcome; for an imported file, inside the transaction
    that imports it, so a batch notes the file as done if and only if it was imported.
    """
    outcome = _import(
        data,
        filename,
        actor=actor,
        supplier=supplier,
        batch=batch,
        reporting_year=reporting_year,
        today=today,
        matcher=matcher,
        record=record,
    )
    if record is not None and outcome.outcome != "imported":
        record(outcome)
    return outcome


def _import(
    data: bytes,
    filename: str,
    *,
    actor: Membership,
    supplier: Supplier | None,
    batch: ImportBatch | None,
    reporting_year: int | None,
    today: date | None,
    matcher: Matcher | None,
    record: Callable[[FileOutcome], None] | None,
) -> FileOutcome:
    require_importer(actor)
    try:
        check_upload(data, filename)
    except DeclarationError as exc:
        return FileOutcome(filename, "refused", str(exc))
    digest = sha256(data)
    existing = owned(Declaration.objects.filter(sha256=digest), actor).first()
    if existing is not None:
        return FileOutcome(
            filename,
            "duplicate",
            f"the same file (SHA-256 {digest[:12]}…) was imported on "
            f"{existing.created_at:%Y-%m-%d %H:%M} as declaration #{existing.pk} "
            f"({existing.filename}); nothing changed",
            existing,
        )
    try:
        parsed = parse_template(data, filename, today=today)
    except TemplateError as exc:
        return FileOutcome(filename, "refused", str(exc))
    if looks_blank(parsed):  # not a declaration of "Unnamed supplier": nobody filled it in
        return FileOutcome(filename, "refused", blank_message(parsed))
    matched = match_rows(parsed, actor, matcher)
    auto_ids = [
        r.candidates[0].facility_id
        for _row, _q, r in matched
        if r is not None and r.outcome == MatchOutcome.AUTO
    ]
    statuses = headline_statuses(auto_ids, actor) if auto_ids else {}
    # Only the template's own issues are stored; the registry's flags about the rows are
    # derived from the current matches when read (``queries.current_issues``), and counted.
    issues = file_issues(parsed)
    counts = issue_counts(issues + registry_issues(row_states(matched), statuses))
    content = canonical(parsed)
    try:
        with transaction.atomic():
            declaration, notes = _persist(
                parsed,
                content,
                issues,
                counts,
                matched,
                data,
                filename,
                digest,
                actor=actor,
                supplier=supplier,
                batch=batch,
                reporting_year=reporting_year,
            )
            summary = _summary(parsed, declaration, counts)
            if notes:
                summary = StoredText.of("%(summary)s; %(notes)s", summary=summary, notes=notes)
            outcome = FileOutcome(
                filename, Outcome.IMPORTED, summary.english(), declaration, summary
            )
            if record is not None:
                record(outcome)
    except IntegrityError:
        # Another import of the same file committed first.
        existing = owned(Declaration.objects.all(), actor).get(sha256=digest)
        return FileOutcome(
            filename, "duplicate", f"imported meanwhile as declaration #{existing.pk}", existing
        )
    return outcome


def _persist(
    parsed: ParsedDeclaration,
    content: dict[str, Any],
    issues: list[Issue],
    counts: dict[str, int],
    matched: list[tuple[SmelterRow, NameQuery | None, MatchResult | None]],
    data: bytes,
    filename: str,
    digest: str,
    *,
    actor: Membership,
    supplier: Supplier | None,
    batch: ImportBatch | None,
    reporting_year: int | None,
) -> tuple[Declaration, list[StoredText]]:
    supplier, _created = _supplier_for(parsed, actor, supplier, filename)
    company = parsed.company
    declaration = Declaration.objects.create(
        organisation=actor.organisation,
        created_by=actor.user,
        supplier=supplier,
        batch=batch,
        family=parsed.family,
        version=parsed.version,
        language=parsed.language[:20],
        filename=filename[:255],
        sha256=digest,
        size=len(data),
        stored_file=store_file(data, filename, digest),
        company_name=company.name[:300],
        scope=company.scope,
        scope_description=company.scope_description,
        effective_date=company.effective_date,
        reporting_year=reporting_year
        or (company.effective_date.year if company.effective_date else None),
        minerals=list(parsed.minerals),
        content=content,
        issues=issues,
        error_count=counts["error"],
        warning_count=counts["warning"],
        flag_count=counts["flag"],
        status=DeclarationStatus.NEEDS_CORRECTION
        if counts["error"]
        else DeclarationStatus.RECEIVED,
        fingerprint=fingerprint(content),
    )
    entries = []
    for row, query, result in matched:
        entry = SmelterEntry(
            declaration=declaration,
            row=row.row,
            metal=row.metal,
            metal_text=row.metal_text[:100],
            lookup_name=row.lookup_name[:300],
            smelter_name=row.smelter_name[:300],
            country=row.country,
            country_text=row.country_text[:100],
            smelter_id=row.smelter_id[:60],
            recycled_scrap=row.recycled_scrap[:20],
            match=SmelterMatch.NOT_IDENTIFIED,
        )
        if query is not None and result is not None:
            best = result.candidates[0] if result.candidates else None
            entry.score = round(best.score, 2) if best else None
            if result.outcome == MatchOutcome.AUTO and best is not None:
                entry.match, entry.facility_id = SmelterMatch.MATCHED, best.facility_id
            else:
                entry.match = (
                    SmelterMatch.REVIEW
                    if result.outcome == MatchOutcome.REVIEW
                    else SmelterMatch.UNMATCHED
                )
                entry.review = queue_review(
                    actor, query, result, origin=declaration_row(declaration.pk, filename, row.row)
                )
        entries.append(entry)
    SmelterEntry.objects.bulk_create(entries)
    log_change(declaration, action=ChangeAction.CREATE, actor=actor)
    return declaration, _supersede(declaration, actor)


# --- batches ----------------------------------------------------------------------------------


@transaction.atomic
def start_import(
    files: Sequence[tuple[str, bytes]],
    *,
    actor: Membership,
    supplier: Supplier | None = None,
    source: str = "web",
) -> ImportBatch:
    """Store the uploaded files and import them in a job; returns the batch to follow."""
    require_importer(actor)
    if not files:
        raise DeclarationError("no files were uploaded")
    if len(files) > MAX_FILES:
        raise DeclarationError(f"{len(files)} files at once; the limit is {MAX_FILES} per batch")
    if supplier is not None and supplier.organisation_id != actor.organisation_id:
        raise DeclarationError("the supplier belongs to another organisation")
    entries = []
    for filename, data in files:
        entry = {"filename": filename[:255], "path": "", "outcome": "pending", "message": ""}
        try:
            check_upload(data, filename)
            entry["path"] = store_file(data, filename)
        except DeclarationError as exc:
            entry.update(outcome="refused", message=str(exc))
        entries.append(entry)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            organisation=actor.organisation,
            created_by=actor.user,
            files=entries,
            supplier=supplier,
            source=source[:40],
        )
        log_change(batch, action=ChangeAction.CREATE, actor=actor)
        batch.job = start_job(
            "declarations.import",
            actor=actor,
            params={"batch": batch.pk},
            title=StoredText.of(
                "Import %(count)s declaration file",
                "Import %(count)s declaration files",
                count=len(files),
            ),
        )
        batch.save(update_fields=["job", "updated_at"])
    return batch


def refused_batch_text(refused: int) -> StoredText:
    """What a job says when every file of its batch was refused (the job then fails)."""
    return StoredText.of(
        "The file was refused, so nothing was imported: the list of files says why.",
        "All %(count)s files were refused, so nothing was imported: the list of files says "
        "why for each.",
        count=refused,
    )


def refused_file_text(entry: dict[str, Any]) -> StoredText:
    """A refused file of a batch as a job's warning: its name and why, in the reader's language
    (the stored English when the outcome has no template)."""
    why = StoredText.from_json(entry.get("text"))
    return StoredText.of(
        "%(file)s: %(message)s", file=entry["filename"], message=why or entry["message"]
    )


def run_batch(
    batch: ImportBatch,
    *,
    actor: Membership,
    progress: Progress = no_progress,
    hold: Callable[[], None] = lambda: None,
) -> dict[str, int]:
    """Import every pending file of the batch, saving each file's outcome as it is known.

    A file's outcome is saved in the transaction that imports it, so a run that stopped halfway
    (its worker died) is resumed by running the batch again: the files already done are
    skipped, neither imported twice nor counted as re-imports. ``hold`` is called in that
    transaction too (the job's ``JobContext.hold``): it raises when the run lost its job, and the
    file is then left to the run that has it.
    """
    files = list(batch.files)
    pending = [i for i, f in enumerate(files) if f["outcome"] == "pending"]
    # Files an earlier run of this batch got to (refusals at upload have no declaration key).
    earlier = sum(f["outcome"] != "pending" and "declaration_id" in f for f in files)
    if earlier:
        progress(
            100 * earlier / len(files),
            StoredText.of(
                "resuming: %(done)s of %(count)s file were done before; %(left)s to go",
                "resuming: %(done)s of %(count)s files were done before; %(left)s to go",
                done=earlier,
                count=len(files),
                left=len(pending),
            ),
        )
    matcher = matcher_for(actor)  # the registry does not change while the batch imports
    for done, index in enumerate(pending):
        entry = files[index]
        progress(
            100 * (len(files) - len(pending) + done) / len(files),
            f"{entry['filename']} ({done + 1}/{len(pending)})",
        )

        def record(outcome: FileOutcome, entry: dict[str, Any] = entry) -> None:
            hold()
            entry.update(outcome.as_json())
            batch.files = files
            batch.save(update_fields=["files", "updated_at"])

        try:
            data = (Path(settings.MEDIA_ROOT) / entry["path"]).read_bytes()
        except OSError as exc:
            record(FileOutcome(entry["filename"], "refused", f"the stored upload is gone: {exc}"))
        else:
            import_declaration(
                data,
                entry["filename"],
                actor=actor,
                supplier=batch.supplier,
                batch=batch,
                matcher=matcher,
                record=record,
            )
    counts = {
        outcome: sum(f["outcome"] == outcome for f in files)
        for outcome in (Outcome.IMPORTED, Outcome.DUPLICATE, Outcome.REFUSED)
    }
    imported, duplicate, refused = counts.values()
    progress(
        100,
        StoredText.joined(
            StoredText.of("%(count)s imported", "%(count)s imported", count=imported),
            StoredText.of(
                "%(count)s already imported", "%(count)s already imported", count=duplicate
            ),
            StoredText.of("%(count)s refused", "%(count)s refused", count=refused),
        ),
    )
    return {str(code): n for code, n in counts.items()}
