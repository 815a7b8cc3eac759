"""Reports coming in: by the web form with no account, or written down by an officer.

Anonymity is the point. The web form's writes record the day, never the time; no network
address, browser or cookie reaches them (the views pass none). The reporter gets a 16-digit
receipt once; the database keeps only its slow keyed hash (``sealing.receipt_digest``). The
reporter's own writes append no change-log entry: its entries carry their time of day, and the
reporter is no member to name. Floods are bounded per channel and day (reports, wrong receipts)
and per receipt and day (messages), counting nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction
from oretrace.core.models import Membership
from oretrace.grievances import receipts, sealing
from oretrace.grievances.choices import OPERATOR_INTAKES, Author, CaseStatus, EventKind, Intake
from oretrace.grievances.exceptions import GrievanceError, IntakeThrottled
from oretrace.grievances.models import Case, Channel, ChannelDay
from oretrace.grievances.permissions import can_handle_grievances, can_manage_channels
from oretrace.grievances.services.common import add_message, clean_text, deadlines, record_event

LANGUAGES_KEPT = 12


@dataclass(frozen=True)
class Filed:
    """A new case and its receipt: shown to the reporter once, never stored."""

    case: Case
    receipt: str

    @property
    def grouped_receipt(self) -> str:
        return receipts.grouped(self.receipt)


@transaction.atomic
def open_channel(*, actor: Membership, slug: str, name: str, welcome: str = "") -> Channel:
    """Open a grievance channel of the actor's organisation at ``/voice/<slug>/``."""
    can_manage_channels.require(actor)
    slug = (slug or "").strip().lower()
    if not slug or not slug.replace("-", "").isalnum():
        raise GrievanceError("address: use letters, digits and dashes", field="slug")
    if Channel.objects.filter(slug=slug).exists():
        raise GrievanceError(f"address: {slug!r} is taken", field="slug")
    if not (name or "").strip():
        raise GrievanceError("name: give the channel a name", field="name")
    channel = Channel.objects.create(
        organisation_id=actor.organisation_id,
        created_by=actor.user,
        slug=slug,
        name=name.strip(),
        welcome=(welcome or "").strip(),
    )
    log_change(channel, action=ChangeAction.CREATE, actor=actor)
    return channel


def _count_today(channel: Channel, field: str, limit: int, what: str) -> None:
    """Count one more ``field`` for the channel today; ``IntakeThrottled(what)`` past
    ``limit``."""
    today = timezone.localdate()
    with transaction.atomic():
        row, _made = ChannelDay.objects.select_for_update().get_or_create(
            channel=channel, day=today
        )
        if getattr(row, field) >= limit:
            raise IntakeThrottled(what)
        ChannelDay.objects.filter(pk=row.pk).update(**{field: F(field) + 1})


def new_case(channel: Channel, *, intake: str, language: str, on: date) -> tuple[Case, str]:
    acknowledge_by, feedback_by = deadlines(on)
    for _attempt in range(3):
        receipt = receipts.new_receipt()
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    organisation_id=channel.organisation_id,
                    channel=channel,
                    receipt_digest=sealing.receipt_digest(receipt),
                    intake=intake,
                    language=(language or "")[:LANGUAGES_KEPT],
                    received_on=on,
                    acknowledge_by=acknowledge_by,
                    feedback_by=feedback_by,
                )
        except IntegrityError:  # the same receipt twice: one chance in 10^15
            continue
        return case, receipt
    raise GrievanceError(_("Could not make a receipt; please send the report again."))


def file_report(channel: Channel, *, text: str, language: str = "") -> Filed:
    """A report sent with the channel's web form, by nobody in particular: a new case."""
    if not channel.is_open:
        raise GrievanceError(_("This channel is closed and takes no reports."))
    text = clean_text(text, field="text", what=_("The report"))
    _count_today(
        channel,
        "reports",
        settings.ORETRACE_GRIEVANCE_REPORTS_PER_DAY,
        _("This channel has had too many reports today; please try again tomorrow."),
    )
    today = timezone.localdate()
    with transaction.atomic():
        case, receipt = new_case(channel, intake=Intake.WEB, language=language, on=today)
        add_message(case, text, author=Author.REPORTER, on=today)
        record_event(case, EventKind.RECEIVED, on=today)
    return Filed(case, receipt)


@transaction.atomic
def record_report(
    channel: Channel,
    *,
    actor: Membership,
    text: str,
    intake: str,
    language: str = "",
    received_on: date | None = None,
) -> Filed:
    """A report an officer heard or read (by phone, in person, on paper), written down by
    them: the same anonymous case, with a receipt to hand to the reporter."""
    can_handle_grievances.require(actor, organisation_id=channel.organisation_id)
    if intake not in OPERATOR_INTAKES:
        names = ", ".join(str(i) for i in OPERATOR_INTAKES)
        raise GrievanceError(f"channel: {intake!r} is not one of {names}", field="intake")
    text = clean_text(text, field="text", what=_("The report"))
    today = timezone.localdate()
    on = received_on or today
    if on > today:
        raise GrievanceError("received on: a report cannot arrive in the future", field="on")
    case, receipt = new_case(channel, intake=intake, language=language, on=on)
    add_message(case, text, author=Author.REPORTER, on=on)
    record_event(case, EventKind.RECEIVED, on=on)
    log_change(case, action=ChangeAction.CREATE, actor=actor)
    return Filed(case, receipt)


def find_case(channel: Channel, receipt_text: str) -> Case:
    """The channel's case whose receipt this is; a wrong receipt counts towards the channel's
    daily limit (a typo caught by the check digit does not)."""
    try:
        receipt = receipts.parse(receipt_text)
    except receipts.ReceiptInvalid as exc:
        raise GrievanceError(_receipt_problem(exc), field="receipt") from None
    limit = settings.ORETRACE_GRIEVANCE_WRONG_RECEIPTS_PER_DAY
    too_many = _("Too many wrong receipts on this channel today; please try again tomorrow.")
    day = ChannelDay.objects.filter(channel=channel, day=timezone.localdate()).first()
    if day is not None and day.wrong_receipts >= limit:
        raise IntakeThrottled(too_many)
    case = Case.objects.filter(channel=channel, receipt_digest=sealing.receipt_digest(receipt))
    found = case.first()
    if found is None:
        _count_today(channel, "wrong_receipts", limit, too_many)
        raise GrievanceError(_("No report on this channel has this receipt."), field="receipt")
    return found


def _receipt_problem(exc: receipts.ReceiptInvalid) -> str:
    """What is wrong with a typed receipt, in the reporter's language."""
    if exc.code == "check":
        return _("This receipt has a typing mistake: check each digit.")
    return ngettext(
        "A receipt has %(count)d digits.", "A receipt has %(count)d digits.", receipts.LENGTH
    ) % {"count": receipts.LENGTH}


@transaction.atomic
def reporter_reply(case: Case, *, text: str) -> None:
    """The reporter's answer, sent with their receipt: at most the daily limit per receipt."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise GrievanceError(_("This case is closed. To raise something else, send a new report."))
    if case.purged_on is not None:
        raise GrievanceError(_("Deleted after the case closed."))
    text = clean_text(text, field="text", what=_("Your answer"))
    today = timezone.localdate()
    count = case.reporter_day_count if case.reporter_day == today else 0
    if count >= settings.ORETRACE_GRIEVANCE_MESSAGES_PER_DAY:
        raise IntakeThrottled(_("You have sent many messages today; please write again tomorrow."))
    Case.objects.filter(pk=case.pk).update(reporter_day=today, reporter_day_count=count + 1)
    add_message(case, text, author=Author.REPORTER, on=today)
