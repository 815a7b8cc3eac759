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
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from oretrace.core.actors import SystemActor
from oretrace.core.changelog import log_change, snapshot
from oretrace.core.choices import ChangeAction, Digest, NotificationKind
from oretrace.core.exceptions import OretraceError
from oretrace.core.models import Membership, Notification, Organisation, User
from oretrace.core.permissions import Permission

logger = logging.getLogger("oretrace.notifications")

Value = str | int


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
    members = Membership.objects.active().filter(organisation_id=organisation_id)
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
    if immediate:
        from oretrace.core.tasks import send_notification_task

        for pk in immediate:
            send_notification_task.enqueue(pk)
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
        from oretrace.core.exceptions import NotFound

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
        from oretrace.core.exceptions import PermissionDenied

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
