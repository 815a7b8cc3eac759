"""Campaigns: ask suppliers for their declarations, follow who answered, and the response rate.

A campaign asks suppliers for one template family and reporting year. Each supplier gets a
`CampaignRequest` with a secret upload link that needs no account: the supplier's files are
imported through the normal pipeline as the campaign's owner, for that supplier and year.

The link's token is 256 bits derived with the site's secret key from a random salt kept on the
request (so the worker can write it into e-mails without it ever being stored or queued), and
the request keeps only the token's SHA-256 to recognise it.

``response_rate(campaign)`` is what the organisation reports in question 6 of its own
declaration ("What percentage of relevant suppliers have provided a response to your supply
chain survey?"): requests that brought a declaration, over requests sent. A supplier that
declined did answer, but gave no declaration, so it does not count as a response.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from oretrace.core.actors import SystemActor
from oretrace.core.changelog import log_change, snapshot
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import InvalidTransition, NotFound, PermissionDenied
from oretrace.core.jobs import JobContext, job_handler, start_job
from oretrace.core.models import Job, Membership
from oretrace.core.stored_text import StoredText
from oretrace.declarations.choices import (
    REQUEST_FOLLOWS,
    CampaignStatus,
    DeclarationStatus,
    Family,
    RequestStatus,
    UploadOutcome,
)
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.imports import (
    FileOutcome,
    check_upload,
    import_declaration,
    store_file,
)
from oretrace.declarations.links import hash_token, token_for
from oretrace.declarations.models import Campaign, CampaignRequest, Declaration, Supplier
from oretrace.declarations.permissions import can_import_declarations, can_run_campaigns
from oretrace.declarations.rmi import TemplateError
from oretrace.declarations.rmi.detect import detect, open_book
from oretrace.declarations.rmi.ooxml import Unsupported
from oretrace.web.dashboard import Figure, figures

# Limits of the public upload form (per link): files per upload, bytes per upload, files/hour.
MAX_RESPONSE_FILES = 10
MAX_RESPONSE_BYTES = 60 * 1024 * 1024
UPLOADS_PER_HOUR = 30
MAX_DECLINE_REASON = 2000
# Statuses that count as a response (question 6), and those a reminder goes to.
RESPONDED = (RequestStatus.RECEIVED, RequestStatus.NEEDS_CORRECTION, RequestStatus.ACCEPTED)
AWAITING = (RequestStatus.REQUESTED, RequestStatus.REMINDED)
# The link's actor in the change log: whoever holds the link, never a member.
LINK_ACTOR = SystemActor("supplier upload link")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


class CampaignClosed(DeclarationError):
    """The campaign no longer takes answers."""


# --- tokens -----------------------------------------------------------------------------------


def find_request(token: str) -> CampaignRequest:
    """The request a link's token opens, or `NotFound` (the same for any wrong token)."""
    if not _TOKEN_RE.match(token or ""):
        raise NotFound(_("This link opens no request."))
    wanted = hash_token(token)
    found = (
        CampaignRequest.objects.select_related(
            "campaign", "campaign__organisation", "supplier", "declaration"
        )
        .filter(token_hash=wanted)
        .first()
    )
    # The lookup is by hash; the comparison that decides is constant-time all the same.
    if found is None or not hmac.compare_digest(found.token_hash, wanted):
        raise NotFound(_("This link opens no request."))
    return found


# --- permissions ------------------------------------------------------------------------------


def _require(actor: Membership | SystemActor, record: Campaign | None = None) -> None:
    if isinstance(actor, SystemActor):
        return
    if record is not None and record.organisation_id != actor.organisation_id:
        raise PermissionDenied(_("this campaign belongs to another organisation"))
    if not can_run_campaigns(actor):
        raise PermissionDenied(
            _("running campaigns needs the role compliance officer or administrator")
        )


def _require_open(campaign: Campaign) -> None:
    if not campaign.is_open:
        raise CampaignClosed(_("the campaign “%(name)s” is closed") % {"name": campaign.name})


# --- writes by the organisation ---------------------------------------------------------------


@transaction.atomic
def create_campaign(
    *,
    actor: Membership | SystemActor,
    name: str,
    family: str,
    reporting_year: int,
    due_date: date | None = None,
    message: str = "",
    suppliers: Sequence[Supplier] | None = None,
    owner: Membership | None = None,
    today: date | None = None,
) -> Campaign:
    """Open a campaign and send each supplier its request (all suppliers with an e-mail when
    ``suppliers`` is None). Files that come through the links are imported as ``owner``
    (the acting member by default)."""
    _require(actor)
    owner = owner or (actor if isinstance(actor, Membership) else None)
    if owner is None:
        raise DeclarationError(_("a campaign needs an owner: the member its files are imported as"))
    if not can_run_campaigns(owner):
        raise PermissionDenied(
            _("the campaign's owner must be a compliance officer or an administrator")
        )
    name = " ".join(name.split())
    if not name:
        raise DeclarationError(_("a campaign needs a name"))
    family = (family or "").strip().upper()
    if family not in Family.values:
        raise DeclarationError(
            _("unknown template %(family)r; use one of %(families)s")
            % {"family": family, "families": ", ".join(Family.values)}
        )
    if not 2000 <= int(reporting_year) <= 2100:
        raise DeclarationError(
            _("the reporting year %(year)s is not a year between 2000 and 2100")
            % {"year": reporting_year}
        )
    today = today or timezone.now().date()
    if due_date is not None and due_date < today:
        raise DeclarationError(
            _("the due date %(date)s is already past") % {"date": due_date.isoformat()}
        )
    chosen = _suppliers_to_ask(owner, suppliers)
    campaign = Campaign.objects.create(
        organisation=owner.organisation,
        created_by=owner.user,
        owner=owner,
        name=name[:200],
        family=family,
        reporting_year=int(reporting_year),
        due_date=due_date,
        message=message.strip(),
    )
    log_change(campaign, action=ChangeAction.CREATE, actor=actor)
    _send_requests(campaign, chosen, actor=actor)
    return campaign


def _suppliers_to_ask(owner: Membership, suppliers: Sequence[Supplier] | None) -> list[Supplier]:
    if suppliers is None:
        chosen = list(
            Supplier.objects.filter(organisation_id=owner.organisation_id).exclude(email="")
        )
        if not chosen:
            raise DeclarationError(
                _("no supplier has an e-mail address yet: import your supplier list first")
            )
        return chosen
    chosen = list(suppliers)
    if not chosen:
        raise DeclarationError(_("choose at least one supplier to ask"))
    if any(s.organisation_id != owner.organisation_id for s in chosen):
        raise DeclarationError(_("a chosen supplier belongs to another organisation"))
    without = [s.name for s in chosen if not s.email]
    if without:
        raise DeclarationError(
            _("these suppliers have no e-mail address: %(names)s") % {"names": ", ".join(without)}
        )
    return chosen


@transaction.atomic
def add_suppliers(
    campaign: Campaign, *, suppliers: Sequence[Supplier], actor: Membership | SystemActor
) -> list[CampaignRequest]:
    """Ask more suppliers in an open campaign; suppliers already asked are left alone."""
    _require(actor, campaign)
    _require_open(campaign)
    asked = set(campaign.requests.values_list("supplier_id", flat=True))
    chosen = _suppliers_to_ask(campaign.owner, [s for s in suppliers if s.pk not in asked])
    return _send_requests(campaign, chosen, actor=actor)


def _enqueue_mail(ids: list[int], kind: str) -> None:
    """Hand the e-mails to the worker (after commit: a rolled-back change sends nothing)."""
    from oretrace.declarations.campaign_mail import send_campaign_mail_task

    for pk in ids:
        send_campaign_mail_task.enqueue(pk, kind)


def _send_requests(
    campaign: Campaign, suppliers: list[Supplier], *, actor: Membership | SystemActor
) -> list[CampaignRequest]:
    now = timezone.now()
    created = []
    for supplier in suppliers:
        request = CampaignRequest(
            organisation_id=campaign.organisation_id,
            created_by=campaign.created_by,
            campaign=campaign,
            supplier=supplier,
            email=supplier.email,
            token_salt=secrets.token_urlsafe(32),
            sent_at=now,
        )
        request.token_hash = hash_token(token_for(request))
        request.save()
        log_change(request, action=ChangeAction.CREATE, actor=actor)
        created.append(request)
    ids = [r.pk for r in created]
    transaction.on_commit(lambda: _enqueue_mail(ids, "request"))
    return created


@transaction.atomic
def send_reminders(
    campaign: Campaign, *, actor: Membership | SystemActor, now: datetime | None = None
) -> int:
    """Remind every supplier that has not answered yet; returns how many were reminded."""
    _require(actor, campaign)
    _require_open(campaign)
    now = now or timezone.now()
    ids = []
    awaiting = campaign.requests.select_for_update().filter(status__in=AWAITING)
    for request in awaiting.select_related("supplier"):
        before = snapshot(request)
        request.status = RequestStatus.REMINDED
        request.reminded_at = now
        request.reminder_count += 1
        # The supplier's address may have been corrected since the request went out.
        request.email = request.supplier.email or request.email
        request.save(
            update_fields=["status", "reminded_at", "reminder_count", "email", "updated_at"]
        )
        log_change(request, action=ChangeAction.UPDATE, actor=actor, before=before)
        ids.append(request.pk)
    transaction.on_commit(lambda: _enqueue_mail(ids, "reminder"))
    return len(ids)


@transaction.atomic
def close_campaign(campaign: Campaign, *, actor: Membership | SystemActor) -> Campaign:
    """Stop taking answers: the links then show that the campaign is closed."""
    _require(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_open:
        raise InvalidTransition(
            _("the campaign “%(name)s” is already closed") % {"name": campaign.name}
        )
    before = snapshot(campaign)
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at", "updated_at"])
    log_change(campaign, action=ChangeAction.UPDATE, actor=actor, before=before)
    return campaign


@transaction.atomic
def attach_declaration(
    request: CampaignRequest, *, declaration: Declaration, actor: Membership | SystemActor
) -> CampaignRequest:
    """Record that a supplier answered with a declaration that came another way (by e-mail,
    imported by the team): the request then counts as a response."""
    campaign = request.campaign
    _require(actor, campaign)
    if declaration.organisation_id != campaign.organisation_id:
        raise PermissionDenied(_("this declaration belongs to another organisation"))
    if declaration.supplier_id != request.supplier_id:
        raise DeclarationError(
            _("declaration #%(id)s is from %(other)s, not from %(supplier)s")
            % {"id": declaration.pk, "other": declaration.supplier, "supplier": request.supplier}
        )
    if declaration.family != campaign.family:
        raise DeclarationError(
            _("declaration #%(id)s is a %(found)s; the campaign asks for a %(wanted)s")
            % {"id": declaration.pk, "found": declaration.family, "wanted": campaign.family}
        )
    request = CampaignRequest.objects.select_for_update().get(pk=request.pk)
    before = snapshot(request)
    request.declaration = declaration
    request.responded_at = request.responded_at or declaration.created_at
    request.decline_reason = ""
    request.status = REQUEST_FOLLOWS[DeclarationStatus(declaration.status)]
    request.save()
    log_change(request, action=ChangeAction.UPDATE, actor=actor, before=before)
    return request


# --- writes through the link ------------------------------------------------------------------


@dataclass
class Answer:
    """What the supplier sees about one uploaded file (never another supplier's data)."""

    filename: str
    outcome: str  # imported, duplicate, refused
    message: str
    declaration: Declaration | None = None

    @property
    def errors(self) -> list[dict]:
        return self.declaration.errors if self.declaration is not None else []

    @property
    def warnings(self) -> list[dict]:
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
    owner = Membership.objects.select_related("user", "organisation").get(pk=campaign.owner_id)
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
    _require_open(campaign)
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
        Answer(e["filename"], PENDING, _("being checked"))
        if e["path"]
        else Answer(e["filename"], "refused", e["message"])
        for e in entries
    ]
    with transaction.atomic():
        _record(request, answers, now)
        if not stored:
            return None
        return start_job(
            "declarations.link_response",
            actor=owner,
            params={"request": request.pk, "files": stored, "at": now.isoformat()},
            title=StoredText.of(
                "Check %(count)s file from %(supplier)s",
                "Check %(count)s files from %(supplier)s",
                count=len(stored),
                supplier=request.supplier.name,
            ),
        )


@job_handler(
    "declarations.link_response",
    title=gettext_lazy("Check a supplier's upload"),
    result_labels=dict(UploadOutcome.choices),
)
def link_response_job(ctx: JobContext, request: int, files: list[dict], at: str) -> dict:
    """Job: import the files a supplier sent through its link, as `respond` does."""
    from pathlib import Path

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
    ctx.progress(100, ", ".join(f"{a.filename}: {a.message}" for a in answers)[:500])
    return {"data": {o: outcomes.count(o) for o in set(outcomes)}}


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
    _require_open(campaign)
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
        return Answer(
            filename,
            "duplicate",
            _("this file was already received; nothing changed"),
            declaration if mine else None,
        )
    assert declaration is not None  # noqa: S101  (an imported outcome always has it)
    return Answer(
        filename,
        "imported",
        _("received: %(errors)s, %(warnings)s")
        % {
            "errors": ngettext(
                "%(n)s checker error", "%(n)s checker errors", declaration.error_count
            )
            % {"n": declaration.error_count},
            "warnings": ngettext("%(n)s warning", "%(n)s warnings", declaration.warning_count)
            % {"n": declaration.warning_count},
        },
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


@transaction.atomic
def decline(request: CampaignRequest, *, reason: str, now: datetime | None = None) -> None:
    """The supplier says it will not send a declaration, and why."""
    request = (
        CampaignRequest.objects.select_for_update().select_related("campaign").get(pk=request.pk)
    )
    _require_open(request.campaign)
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


# --- reads ------------------------------------------------------------------------------------

# The RMI answer bands of CMRT question 6 (EMRT, AMRT and CRT ask the same with the same bands).
Q6_BANDS = ("100%", "Greater than 90%", "Greater than 75%", "Greater than 50%", "50% or less")


@dataclass(frozen=True)
class ResponseRate:
    """Suppliers that sent a declaration over suppliers asked, with the status counts."""

    requested: int
    responded: int
    counts: dict[str, int]

    @property
    def ratio(self) -> float | None:
        return self.responded / self.requested if self.requested else None

    @property
    def percent(self) -> int | None:
        """Rounded down, so that 99.6 % never shows as 100 %."""
        return self.responded * 100 // self.requested if self.requested else None

    @property
    def q6_answer(self) -> str:
        """The answer to question 6 in the template's own words ("None" when nobody sent one;
        empty when nobody was asked)."""
        if not self.requested:
            return ""
        if self.responded == 0:
            return "None"
        share = self.responded / self.requested
        if share >= 1:
            return Q6_BANDS[0]
        for band, floor in zip(Q6_BANDS[1:4], (0.9, 0.75, 0.5), strict=True):
            if share > floor:
                return band
        return Q6_BANDS[4]


def response_rate(campaign: Campaign) -> ResponseRate:
    """The campaign's response rate (question 6 of the organisation's own declaration)."""
    counts = dict.fromkeys(RequestStatus.values, 0)
    for request in campaign.requests.all():  # prefetched by a list of campaigns
        counts[request.status] += 1
    responded = sum(counts[s] for s in RESPONDED)
    return ResponseRate(requested=sum(counts.values()), responded=responded, counts=counts)


# A supplier asked in several campaigns of a year counts once, with its furthest answer.
_RANK: dict[str, int] = {
    s.value: i
    for i, s in enumerate(
        (
            RequestStatus.REQUESTED,
            RequestStatus.REMINDED,
            RequestStatus.DECLINED,
            RequestStatus.NEEDS_CORRECTION,
            RequestStatus.RECEIVED,
            RequestStatus.ACCEPTED,
        )
    )
}


def year_response_rate(member: Membership, family: str, year: int) -> ResponseRate | None:
    """The response rate over every campaign of the member's organisation for one template
    and reporting year, each supplier counted once; None when no campaign asked for it.

    This is the figure for question 6 of the organisation's own declaration of that year.
    """
    rows = (
        CampaignRequest.objects.for_member(member)
        .filter(
            organisation_id=member.organisation_id,
            campaign__family=family,
            campaign__reporting_year=year,
        )
        .values_list("supplier_id", "status")
    )
    best: dict[int, str] = {}
    for supplier_id, status in rows:
        if supplier_id not in best or _RANK[status] > _RANK[best[supplier_id]]:
            best[supplier_id] = status
    if not best:
        return None
    counts = dict.fromkeys(RequestStatus.values, 0)
    for status in best.values():
        counts[status] += 1
    responded = sum(counts[s] for s in RESPONDED)
    return ResponseRate(requested=len(best), responded=responded, counts=counts)


@figures
def campaign_figures(member: Membership) -> list[Figure]:
    open_campaigns = Campaign.objects.for_member(member).filter(status=CampaignStatus.OPEN)
    requests = CampaignRequest.objects.for_member(member).filter(campaign__in=open_campaigns)
    asked = requests.count()
    if not asked:
        return []
    answered = requests.filter(status__in=RESPONDED).count()
    return [
        Figure(
            gettext_lazy("Supplier response rate (open campaigns)"),
            f"{answered * 100 // asked} % ({answered}/{asked})",
            reverse("declarations:campaigns"),
        )
    ]
