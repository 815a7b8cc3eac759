"""Writes through a campaign request's secret link: the supplier's files, or its refusal.

Each supplier gets a `CampaignRequest` with a secret upload link that needs no account (see
``declarations.links``): the supplier's files are imported through the normal pipeline as the
campaign's owner, for that supplier and year. The web process only keeps the files
(`receive`); the worker imports them (`run_link_response`, from ``tasks``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oretrace.core.actors import SystemActor
from oretrace.core.changelog import log_change, snapshot
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import InvalidTransition
from oretrace.core.jobs import JobContext, JobFailed, start_job
from oretrace.core.models import Job, Membership
from oretrace.core.stored_text import StoredText
from oretrace.declarations import notices
from oretrace.declarations.choices import REQUEST_FOLLOWS, DeclarationStatus, RequestStatus
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.models import Campaign, CampaignRequest, Declaration, Issue
from oretrace.declarations.permissions import can_import_declarations, require_open
from oretrace.declarations.rmi import TemplateError
from oretrace.declarations.rmi.detect import detect, open_book
from oretrace.declarations.rmi.ooxml import Unsupported
from oretrace.declarations.services.imports import (
    FileOutcome,
    check_upload,
    import_declaration,
    refused_batch_text,
    store_file,
)

# Limits of the public upload form (per link): files per upload, bytes per upload, files/hour.
MAX_RESPONSE_FILES = 10
MAX_RESPONSE_BYTES = 60 * 1024 * 1024
UPLOADS_PER_HOUR = 30
MAX_DECLINE_REASON = 2000
# The link's actor in the change log: whoever holds the link, never a member.
LINK_ACTOR = SystemActor("supplier upload link")
LINK_RESPONSE = "declarations.link_response"


@dataclass
class Answer:
    """What the supplier sees about one uploaded file (never another supplier's data)."""

    filename: str
    outcome: str  # imported, duplicate, refused
    message: str
    declaration: Declaration | None = None
    # The message as a catalogue text, shown later in the reader's language (the message is
    # kept too: in the language of the upload, for a text with no template).
    text: StoredText | None = None

    @classmethod
    def said(
        cls, filename: str, outcome: str, text: StoredText, declaration: Declaration | None = None
    ) -> Answer:
        return cls(filename, outcome, str(text), declaration, text)

    @property
    def errors(self) -> list[Issue]:
        return self.declaration.errors if self.declaration is not None else []

    @property
    def warnings(self) -> list[Issue]:
        return self.declaration.warnings if self.declaration is not None else []


def _family_of(data: bytes, filename: str) -> str | None:
    """The template family the workbook says it is, or None (the import then says why)."""
    try:
        try:
            return detect(open_book(data, filename), filename)[0]
        except Unsupported:  # what the .xlsx fast path does not read, python-calamine does
            return detect(open_book(data, filename, fast=False), filename)[0]
    except TemplateError:
        return None


def _owner(campaign: Campaign) -> Membership:
    owner: Membership = Membership.objects.select_related("user", "organisation").get(
        pk=campaign.owner_id
    )
    usable = owner.is_active and owner.user.is_active and owner.organisation.is_active
    if not (usable and can_import_declarations(owner)):
        raise DeclarationError(
            _(
                "%(company)s cannot receive files through this link at the moment; "
                "please contact them directly"
            )
            % {"company": campaign.organisation}
        )
    return owner


def check_response_limits(request: CampaignRequest, count: int, now: datetime) -> None:
    """Refuse an upload over the per-link limits before any file is read."""
    if count == 0:
        raise DeclarationError(_("choose at least one file to upload"))
    if count > MAX_RESPONSE_FILES:
        raise DeclarationError(
            ngettext(
                "%(count)s file at once; the limit is %(limit)s per upload",
                "%(count)s files at once; the limit is %(limit)s per upload",
                count,
            )
            % {"count": count, "limit": MAX_RESPONSE_FILES}
        )
    since = (now - timedelta(hours=1)).isoformat()
    # Read afresh: the caller's copy may predate its own last upload.
    uploads = CampaignRequest.objects.values_list("uploads", flat=True).get(pk=request.pk)
    recent = sum(1 for u in uploads if u.get("at", "") >= since)
    if recent + count > UPLOADS_PER_HOUR:
        raise DeclarationError(
            _("too many files through this link in the last hour (limit %(limit)s); try later")
            % {"limit": UPLOADS_PER_HOUR}
        )


PENDING = "pending"


def receive(
    request: CampaignRequest, files: list[tuple[str, bytes]], *, now: datetime | None = None
) -> Job | None:
    """Keep the files a supplier uploaded through its link and check them in a job.

    Nothing of a file is parsed here (the web process): each is stored as received, listed on
    the link as pending, and read by the worker (`link_response_job`), which records the
    outcome in its place. Files that can never be a template are refused at once (then no job
    is started when none is left).
    """
    now = now or timezone.now()
    campaign = request.campaign
    require_open(campaign)
    check_response_limits(request, len(files), now)
    owner = _owner(campaign)
    entries = []
    for filename, data in files:
        entry = {"filename": filename[:255], "path": "", "message": ""}
        try:
            check_upload(data, filename)
            entry["path"] = store_file(data, filename)
        except DeclarationError as exc:
            entry["message"] = str(exc)
        entries.append(entry)
    stored = [e for e in entries if e["path"]]
    answers = [
        Answer.said(e["filename"], PENDING, StoredText.of("being checked"))
        if e["path"]
        else Answer(e["filename"], "refused", e["message"])
        for e in entries
    ]
    with transaction.atomic():
        _record(request, answers, now)
        if not stored:
            return None
        return start_job(
            LINK_RESPONSE,
            actor=owner,
            params={"request": request.pk, "files": stored, "at": now.isoformat()},
            title=StoredText.of(
                "Check %(count)s file from %(supplier)s",
                "Check %(count)s files from %(supplier)s",
                count=len(stored),
                supplier=request.supplier.name,
            ),
        )


def run_link_response(
    ctx: JobContext, request: int, files: list[dict[str, str]], at: str
) -> dict[str, Any]:
    """The job's work: import the files a supplier sent through its link, as `respond` does."""
    link = CampaignRequest.objects.select_related("campaign", "supplier").get(
        pk=request, campaign__organisation_id=ctx.job.organisation_id
    )
    owner = _owner(link.campaign)
    answers = []
    for done, entry in enumerate(files):
        ctx.progress(100 * done / max(len(files), 1), entry["filename"])
        try:
            data = (Path(settings.MEDIA_ROOT) / entry["path"]).read_bytes()
        except OSError as exc:
            answers.append(Answer(entry["filename"], "refused", str(exc)))
            continue
        answers.append(_answer(link, entry["filename"], data, owner=owner, today=None))
    _record(link, answers, datetime.fromisoformat(at))
    outcomes = [a.outcome for a in answers]
    counts = {o: outcomes.count(o) for o in set(outcomes)}
    ctx.progress(100, ", ".join(f"{a.filename}: {a.message}" for a in answers)[:500])
    for answer in answers:  # so that the job says "finished with warnings", not "succeeded"
        if answer.outcome == "refused":
            ctx.warn(f"{answer.filename}: {answer.message}")
    url = reverse("declarations:campaign", args=[link.campaign_id])
    if answers and counts.get("refused") == len(answers):
        # Nothing came of it: the job failed, as a web batch whose every file was refused.
        text = refused_batch_text(len(answers))
        raise JobFailed(text.english(), text=text, data=counts, url=url)
    return {"data": counts, "url": url}


def respond(
    request: CampaignRequest,
    files: list[tuple[str, bytes]],
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> list[Answer]:
    """Import the files a supplier uploaded through its link, and move the request along.

    Each file is imported on its own (all or nothing) as the campaign's owner, for this
    supplier and the campaign's reporting year. A file of another template family is refused.
    """
    now = now or timezone.now()
    campaign = request.campaign
    require_open(campaign)
    check_response_limits(request, len(files), now)
    owner = _owner(campaign)
    answers = [
        _answer(request, filename, data, owner=owner, today=today) for filename, data in files
    ]
    _record(request, answers, now)
    return answers


def _answer(
    request: CampaignRequest, filename: str, data: bytes, *, owner: Membership, today: date | None
) -> Answer:
    campaign = request.campaign
    family = _family_of(data, filename)
    if family is not None and family != campaign.family:
        return Answer(
            filename,
            "refused",
            _(
                "this is a %(found)s, but %(company)s asked for a %(wanted)s: please upload "
                "the %(wanted)s"
            )
            % {"found": family, "wanted": campaign.family, "company": campaign.organisation},
        )
    outcome: FileOutcome = import_declaration(
        data,
        filename,
        actor=owner,
        supplier=request.supplier,
        reporting_year=campaign.reporting_year,
        today=today,
    )
    declaration = outcome.declaration
    if outcome.outcome == "refused":
        return Answer(filename, "refused", outcome.message)
    if outcome.outcome == "duplicate":
        # Only a file this supplier sent counts; the message never names another one's file.
        mine = declaration is not None and declaration.supplier_id == request.supplier_id
        return Answer.said(
            filename,
            "duplicate",
            StoredText.of("this file was already received; nothing changed"),
            declaration if mine else None,
        )
    assert declaration is not None  # noqa: S101  (an imported outcome always has it)
    return Answer.said(
        filename,
        "imported",
        StoredText.of(
            "received: %(errors)s, %(warnings)s",
            errors=StoredText.of(
                "%(n)s checker error",
                "%(n)s checker errors",
                count=declaration.error_count,
                n=declaration.error_count,
            ),
            warnings=StoredText.of(
                "%(n)s warning",
                "%(n)s warnings",
                count=declaration.warning_count,
                n=declaration.warning_count,
            ),
        ),
        declaration,
    )


@transaction.atomic
def _record(request: CampaignRequest, answers: list[Answer], now: datetime) -> None:
    request = CampaignRequest.objects.select_for_update().get(pk=request.pk)
    before = snapshot(request)
    at = now.isoformat()
    kept = [u for u in request.uploads if not (u["outcome"] == PENDING and u["at"] == at)]
    request.uploads = [
        *kept,
        *(
            {
                "at": now.isoformat(),
                "filename": a.filename[:255],
                "outcome": a.outcome,
                "message": a.message,
                **({"text": a.text.as_json()} if a.text is not None else {}),
                "declaration_id": a.declaration.pk if a.declaration else None,
            }
            for a in answers
        ),
    ]
    received = [a.declaration for a in answers if a.declaration is not None]
    if received:
        # The one the team must look at: a declaration with checker errors, else the last.
        flawed = [d for d in received if d.status == DeclarationStatus.NEEDS_CORRECTION]
        chosen = flawed[0] if flawed else received[-1]
        request.declaration = chosen
        request.responded_at = now
        request.decline_reason = ""
        request.status = REQUEST_FOLLOWS[DeclarationStatus(chosen.status)]
    request.save()
    log_change(request, action=ChangeAction.UPDATE, actor=LINK_ACTOR, before=before)
    notices.answered(request, files=len(answers))


@transaction.atomic
def decline(request: CampaignRequest, *, reason: str, now: datetime | None = None) -> None:
    """The supplier says it will not send a declaration, and why."""
    request = (
        CampaignRequest.objects.select_for_update().select_related("campaign").get(pk=request.pk)
    )
    require_open(request.campaign)
    reason = reason.strip()
    if not reason:
        raise DeclarationError(_("please say why you decline"))
    if len(reason) > MAX_DECLINE_REASON:
        raise DeclarationError(
            _("the reason is longer than %(limit)s characters") % {"limit": MAX_DECLINE_REASON}
        )
    if request.status == RequestStatus.ACCEPTED:
        raise InvalidTransition(_("your declaration was already accepted"))
    before = snapshot(request)
    request.status = RequestStatus.DECLINED
    request.decline_reason = reason
    request.responded_at = now or timezone.now()
    request.save(update_fields=["status", "decline_reason", "responded_at", "updated_at"])
    log_change(request, action=ChangeAction.UPDATE, actor=LINK_ACTOR, before=before)
    notices.declined(request)
