"""Notifications: who gets one, and the marks a reader leaves on them; a person's preferences.

``notify`` is the one way any app tells people something. The caller names the organisation
and who in it should know, by permission (``can_decide_declarations``: its compliance officers
and administrators) or by person; the rows are written only after the caller's transaction
commits, so a change that rolls back tells nobody. A notification is never a record of the
change log or the transparency log: it is a message to a person, deleted with them, and holds
no fact the logs do not already hold elsewhere.

The message is stored as its English message id (marked with ``gettext_noop`` where it is
written, so that it is translated) and the values to put in it; each reader sees it in their
own language, on the page as in the e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from oretrace.core.actors import SystemActor
from oretrace.core.changelog import log_change, snapshot
from oretrace.core.choices import ChangeAction, Digest, NotificationKind
from oretrace.core.exceptions import NotFound, OretraceError, PermissionDenied
from oretrace.core.models import Membership, Notification, Organisation, PeriodicRun, User
from oretrace.core.notifications import mail_digest, mail_notification
from oretrace.core.periodic import run_daily_checks
from oretrace.core.permissions import Permission

logger = logging.getLogger("oretrace.notifications")

Value = str | int

# The task that mails one notification; CoreConfig.ready() installs it (``core.tasks`` imports
# this module, so this module does not import it).
_mailer: Any = None


def install_mailer(task: Any) -> None:
    """Make ``task`` (``send_notification_task``) the one ``deliver`` enqueues per e-mail."""
    global _mailer
    _mailer = task


@dataclass(frozen=True)
class Notice:
    """What ``notify`` was asked to say, checked before the caller's transaction commits."""

    organisation_id: int
    kind: str
    message: str
    values: Mapping[str, Value] = field(default_factory=dict)
    link: str = ""
    key: str = ""
    message_plural: str = ""
    mailed: bool = False


def _check(notice: Notice) -> None:
    if notice.kind not in NotificationKind.values:
        raise OretraceError(f"notification kind {notice.kind!r} is not one of the known kinds")
    if not notice.message.strip() or len(notice.message) > 300:
        raise OretraceError("a notification needs a message id of 1 to 300 characters")
    if notice.message_plural and "count" not in notice.values:
        raise OretraceError("a plural notification needs the value 'count'")
    for name, value in notice.values.items():
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise OretraceError(f"notification value {name!r} must be text or a whole number")
    if notice.link and not notice.link.startswith("/"):
        raise OretraceError("a notification links to a path of this site, starting with '/'")


def recipients(
    organisation_id: int,
    *,
    permission: Permission | None = None,
    users: Iterable[User | int] | None = None,
    exclude: User | int | None = None,
) -> list[Membership]:
    """The active members of an organisation who should know: those ``permission`` allows
    (administrators hold every role), or else the ``users`` named (members only)."""
    if permission is None and users is None:
        raise OretraceError("say who should know: a permission or the people")
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return []
    members = organisation.memberships.active()
    if users is not None:
        ids = [u if isinstance(u, int) else u.pk for u in users]
        members = members.filter(user_id__in=ids)
    if exclude is not None:
        members = members.exclude(user_id=exclude if isinstance(exclude, int) else exclude.pk)
    return [m for m in members.select_related("user") if permission is None or permission(m)]


def notify(
    organisation: Organisation | int,
    *,
    kind: str,
    message: str,
    values: Mapping[str, Value] | None = None,
    link: str = "",
    permission: Permission | None = None,
    users: Iterable[User | int] | None = None,
    exclude: User | int | None = None,
    key: str = "",
    message_plural: str = "",
    mailed: bool = False,
) -> None:
    """Tell the members of ``organisation`` whom ``permission`` (or ``users``) names, once the
    caller's transaction commits. ``exclude`` leaves out the person who did the thing; ``key``
    makes the notice reach each person once only, however often it is sent; ``mailed`` says
    an e-mail of its own already tells them (a sign-up decision): no notification e-mail."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    notice = Notice(
        organisation_id=org_id,
        kind=kind,
        message=message,
        values=dict(values or {}),
        link=link,
        key=key[:120],
        message_plural=message_plural,
        mailed=mailed,
    )
    _check(notice)
    if permission is None and users is None:
        raise OretraceError("say who should know: a permission or the people")
    user_ids = None if users is None else [u if isinstance(u, int) else u.pk for u in users]
    exclude_id = exclude if isinstance(exclude, int) or exclude is None else exclude.pk
    transaction.on_commit(lambda: deliver(notice, permission, user_ids, exclude_id))


def deliver(
    notice: Notice,
    permission: Permission | None,
    user_ids: list[int] | None,
    exclude_id: int | None,
) -> list[Notification]:
    """Write one row per recipient now (after the caller's commit) and queue the e-mails of
    those who want each one at once."""
    members = recipients(
        notice.organisation_id, permission=permission, users=user_ids, exclude=exclude_id
    )
    made: list[Notification] = []
    for member in members:
        row = _write(notice, member.user)
        if row is not None:
            made.append(row)
    immediate = [
        n.pk for n in made if n.emailed_at is None and n.recipient.digest == Digest.IMMEDIATE
    ]
    for pk in immediate:
        _mailer.enqueue(pk)
    return made


def _write(notice: Notice, user: User) -> Notification | None:
    """One row; None when a notice with the same key already reached this person."""
    row = Notification(
        organisation_id=notice.organisation_id,
        recipient=user,
        kind=notice.kind,
        message=notice.message,
        message_plural=notice.message_plural,
        values=dict(notice.values),
        link=notice.link,
        key=notice.key,
        emailed_at=timezone.now() if notice.mailed else None,
    )
    if notice.key:
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            return None  # already told (two workers, or a check run twice)
        return row
    row.save()
    return row


# --- a reader's marks ----------------------------------------------------------------------------
def mark_read(notification: Notification, *, member: Membership) -> Notification:
    """Mark one of the member's own notifications read (already read: left as it is)."""
    if (
        notification.recipient_id != member.user_id
        or notification.organisation_id != member.organisation_id
    ):
        raise NotFound("no such notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(member: Membership) -> int:
    """Mark every unread notification of the member (in the organisation acted for) read."""
    return Notification.objects.for_member(member).unread().update(read_at=timezone.now())


# --- claiming rows for e-mail -------------------------------------------------------------------
def claim_for_email(ids: Iterable[int], *, now: datetime | None = None) -> list[int]:
    """Mark rows as taken by an e-mail, each by one e-mail only: the ids this call took.

    The conditional update is the lock: two workers claiming the same row, one gets it.
    """
    now = now or timezone.now()
    taken = []
    for pk in ids:
        if Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(emailed_at=now):
            taken.append(pk)
    return taken


# --- mailing: at once, in digests ---------------------------------------------------------------
def send_notification_email(notification_id: int) -> bool:
    """Mail one notification to its recipient, unless a digest or an earlier e-mail took it,
    or the person no longer wants each one at once. True when it was sent."""
    notification = (
        Notification.objects.select_related("recipient", "organisation")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        return False
    user = notification.recipient
    if not user.is_active or user.digest != Digest.IMMEDIATE:
        return False  # a digest takes it (or nobody, in the app only)
    if not claim_for_email([notification.pk]):
        return False
    mail_notification(notification)
    return True


PERIODS = {Digest.DAILY: timedelta(days=1), Digest.WEEKLY: timedelta(days=7)}


def _slack() -> timedelta:
    """A tick may come a little early: what is due within one tick's interval is due now."""
    return timedelta(seconds=settings.ORETRACE_NOTIFICATION_TICK_SECONDS)


def _take_digest(user_id: int, now: datetime) -> tuple[User, list[int]] | None:
    """Claim a person's digest rows if the digest is due (and note it as sent)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        period = PERIODS.get(Digest(user.digest)) if user.digest in PERIODS else None
        if period is None or not user.is_active:
            return None
        if user.last_digest_at is not None and now - user.last_digest_at < period - _slack():
            return None
        pending = Notification.objects.filter(
            recipient=user, emailed_at__isnull=True, read_at__isnull=True, created_at__lte=now
        )
        if user.last_digest_at is not None:
            pending = pending.filter(created_at__gt=user.last_digest_at)
        taken = claim_for_email(list(pending.values_list("pk", flat=True)), now=now)
        user.last_digest_at = now
        user.save(update_fields=["last_digest_at"])
    return user, taken


def send_digest(user_id: int, *, now: datetime | None = None) -> int:
    """Mail a person's digest if it is due: what came since the last one, unread and not yet
    mailed. Returns the number of notifications it held (0: nothing sent)."""
    now = now or timezone.now()
    taken = _take_digest(user_id, now)
    if taken is None or not taken[1]:
        return 0
    user, ids = taken
    rows = list(
        Notification.objects.filter(pk__in=ids)
        .select_related("organisation")
        .order_by("organisation__legal_name", "created_at")
    )
    mail_digest(user, rows)
    return len(rows)


def send_due_digests(now: datetime | None = None) -> int:
    """Mail every digest that is due; the number of digests sent."""
    now = now or timezone.now()
    sent = 0
    users = User.objects.filter(is_active=True, digest__in=list(PERIODS)).values_list(
        "pk", flat=True
    )
    for user_id in users:
        try:
            sent += bool(send_digest(user_id, now=now))
        except Exception:  # one bad address must not hold back everyone's digest
            logger.exception("digest of user %s failed", user_id)
    return sent


DAILY = "daily-checks"


def claim_daily_run(now: datetime, *, name: str = DAILY) -> bool:
    """True (and noted) when the daily checks last ran a day ago or never."""
    with transaction.atomic():
        run = PeriodicRun.objects.select_for_update().filter(name=name).first()
        if run is not None and now - run.last_run_at < timedelta(days=1) - _slack():
            return False
        PeriodicRun.objects.update_or_create(name=name, defaults={"last_run_at": now})
    return True


def run_tick(now: datetime | None = None) -> dict[str, Any]:
    """One periodic pass: the due digests, and the daily checks when a day has passed."""
    now = now or timezone.now()
    digests = send_due_digests(now)
    checks = run_daily_checks(now) if claim_daily_run(now) else {}
    if digests or checks:
        logger.info("notifications: %s digest(s) sent; daily checks %s", digests, checks)
    return {"digests": digests, "checks": checks}


# --- preferences -------------------------------------------------------------------------------
def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@transaction.atomic
def set_preferences(
    user: User, *, language: str, digest: str, actor: Membership | SystemActor
) -> User:
    """Set a person's language and how their notifications are mailed.

    Refused, naming the field: a language the site does not offer, an unknown digest choice.
    Changing the digest starts its period afresh: the first digest holds what comes after.
    """
    if actor.user is not None and actor.user.pk != user.pk:
        raise PermissionDenied("a person's preferences are set by that person")
    language = (language or "").strip()
    if language and language not in language_codes():
        raise OretraceError(
            f"language: {language!r} is not offered here; choose one of "
            + ", ".join(language_codes())
        )
    if digest not in Digest.values:
        raise OretraceError(
            f"notification e-mails: {digest!r} is not a choice; choose one of "
            + ", ".join(Digest.values)
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user)
    if digest != user.digest:
        user.last_digest_at = timezone.now()
    user.language, user.digest = language, digest
    user.save(update_fields=["language", "digest", "last_digest_at"])
    log_change(user, action=ChangeAction.UPDATE, actor=actor, before=before)
    return user
