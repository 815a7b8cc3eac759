"""Personal API tokens: issue, revoke, and authenticate on every API request.

Authentication is the hottest path of the API, so the common case (a valid token) is one
hand-written query; anything unusual falls back to the ORM, which explains the refusal.

A token minted with another token (``POST /api/v1/tokens`` authenticated by a token) records it
as its parent, may not outlive it, and is revoked with it at every depth. Changing a password
ends every token its user was issued before (``User.password_changed_at``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from oretrace.core.actors import SystemActor
from oretrace.core.changelog import log_change, update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import OretraceError, PermissionDenied, TokenError
from oretrace.core.models import ApiToken, Membership, Organisation, User

TOKEN_PREFIX = "ot_"  # noqa: S105  (a public prefix, not a secret)


def hash_secret(secret: str) -> str:
    """What is stored of a random secret (an API token, an invitation link): its SHA-256.

    The secrets carry 256 bits of randomness, so a fast hash is enough: nothing to brute-force.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """A fresh URL-safe secret of 256 bits."""
    return secrets.token_urlsafe(32)


_hash_token = hash_secret


def validate_expiry(
    expires_at: datetime | None, *, parent: ApiToken | None = None
) -> datetime | None:
    """The expiry a new token gets, or ``OretraceError`` naming ``expires_at`` and the limit.

    An expiry must lie in the future and at most ``ORETRACE_API_TOKEN_MAX_DAYS`` ahead; a time
    without a zone is read as UTC. A token minted by another token expires no later than it.
    """
    if expires_at is not None and timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at, dt.UTC)
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise OretraceError(
            f"expires_at must be in the future; {expires_at:%Y-%m-%d %H:%M} UTC has passed"
        )
    latest = now + timedelta(days=settings.ORETRACE_API_TOKEN_MAX_DAYS)
    if expires_at is not None and expires_at > latest:
        raise OretraceError(
            f"expires_at may be at most {settings.ORETRACE_API_TOKEN_MAX_DAYS} days ahead "
            f"(until {latest:%Y-%m-%d}); {expires_at:%Y-%m-%d} is further"
        )
    if parent is not None and parent.expires_at is not None:
        if expires_at is not None and expires_at > parent.expires_at:
            raise OretraceError(
                f"expires_at may not be later than that of the token creating it "
                f"({parent.expires_at:%Y-%m-%d %H:%M} UTC)"
            )
        expires_at = expires_at or parent.expires_at
    return expires_at


@transaction.atomic
def issue_token(
    membership: Membership,
    *,
    name: str,
    actor: Membership | SystemActor,
    expires_at: datetime | None = None,
    parent: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """Create a personal API token; the returned secret is shown once and never stored.

    ``parent`` is the token the request that asks for this one was authenticated with, if any.
    """
    if not isinstance(actor, SystemActor) and actor.user_id != membership.user_id:
        raise PermissionDenied("a personal token can only be created by its own user")
    if not name.strip():
        raise OretraceError("a token needs a name, e.g. the script that uses it")
    if parent is not None and parent.membership_id != membership.pk:
        raise PermissionDenied("a token can only create tokens for its own membership")
    expires_at = validate_expiry(expires_at, parent=parent)
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        membership=membership,
        name=name.strip()[:100],
        prefix=prefix,
        token_hash=_hash_token(secret),
        expires_at=expires_at,
        parent=parent,
    )
    log_change(token, action=ChangeAction.CREATE, actor=actor, organisation=membership.organisation)
    return token, secret


def descendants(token: ApiToken) -> list[ApiToken]:
    """Every token minted from ``token``, directly or through others, breadth first."""
    found: list[ApiToken] = []
    frontier = [token.pk]
    while frontier:
        children = list(
            ApiToken.objects.filter(parent_id__in=frontier).select_related(
                "membership__organisation"
            )
        )
        found.extend(children)
        frontier = [child.pk for child in children]
    return found


def end_tokens(tokens: Iterable[ApiToken], *, actor: Membership | SystemActor) -> None:
    """Mark the tokens not yet revoked as revoked now, each with its change-log entry (the
    callers check who may; inside their transaction)."""
    moment = timezone.now()
    for each in tokens:
        if each.revoked_at is not None:
            continue
        update_and_log(
            each, actor=actor, organisation=each.membership.organisation, revoked_at=moment
        )


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: Membership | SystemActor) -> ApiToken:
    """Revoke a token and every token minted from it, at once; each revocation is logged.

    Later requests with any of them are refused with a clear message.
    """
    if not isinstance(actor, SystemActor) and actor.user_id != token.membership.user_id:
        raise PermissionDenied("only the token's own user can revoke it")
    end_tokens([token, *descendants(token)], actor=actor)
    return token


LAST_USED_RESOLUTION = timedelta(minutes=1)


def authenticate_token(secret: str) -> Membership:
    """Return the membership a token acts as, or raise ``TokenError`` saying why not.

    The membership's ``acting_token_id`` names the token, so that a token it mints can record
    its parent.
    """
    if not secret.startswith(TOKEN_PREFIX):
        raise TokenError("this is not an oretrace API token (they start with 'ot_')")
    token_hash = _hash_token(secret)
    member = _valid_token_member(token_hash)
    if member is not None:
        return member
    return _explain_refusal(token_hash)


def _valid_token_member(token_hash: str) -> Membership | None:
    """The membership of a usable token in one query, or ``None`` for anything unusual.

    The ORM would spend ~0.5 ms building this query on every request; written out, it costs
    ~0.02 ms. The membership comes back with its user and organisation loaded on first use.
    """
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    t, m, u, o = (model._meta.db_table for model in (ApiToken, Membership, User, Organisation))
    sql = (
        f"SELECT t.id, m.id, m.user_id, m.organisation_id, m.roles, "  # noqa: S608  (table names from models)
        f"CASE WHEN t.last_used_at IS NULL OR t.last_used_at < %s THEN 1 ELSE 0 END "
        f"FROM {t} t JOIN {m} m ON m.id = t.membership_id "
        f"JOIN {u} u ON u.id = m.user_id JOIN {o} o ON o.id = m.organisation_id "
        f"WHERE t.token_hash = %s AND t.revoked_at IS NULL "
        f"AND (t.expires_at IS NULL OR t.expires_at > %s) "
        f"AND (u.password_changed_at IS NULL OR t.created_at > u.password_changed_at) "
        f"AND m.is_active AND u.is_active AND o.is_active"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(now - LAST_USED_RESOLUTION), token_hash, adapt(now)])
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, member_id, user_id, org_id, roles, stale = row
    if stale:  # record use at most once a minute, so reads do not each become a write
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    member = Membership.from_db(
        connection.alias,
        ["id", "user_id", "organisation_id", "roles", "is_active"],
        [member_id, user_id, org_id, json.loads(roles) if isinstance(roles, str) else roles, True],
    )
    member.acting_token_id = token_id
    return member


def _explain_refusal(token_hash: str) -> Membership:
    """Say why a token is refused (the ORM path; only for tokens the fast path rejected)."""
    try:
        token = ApiToken.objects.select_related("membership__user", "membership__organisation").get(
            token_hash=token_hash
        )
    except ApiToken.DoesNotExist:
        raise TokenError("unknown API token") from None
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenError(
            f"API token '{token.name}' was revoked on {token.revoked_at:%Y-%m-%d %H:%M} UTC"
        )
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenError(
            f"API token '{token.name}' expired on {token.expires_at:%Y-%m-%d %H:%M} UTC"
        )
    member = token.membership
    changed = member.user.password_changed_at
    if changed is not None and token.created_at <= changed:
        raise TokenError(
            f"API token '{token.name}' ended when its user's password changed on "
            f"{changed:%Y-%m-%d %H:%M} UTC; create a new token"
        )
    if not (member.is_active and member.user.is_active and member.organisation.is_active):
        raise TokenError(f"API token '{token.name}' belongs to an inactive membership")
    raise TokenError(f"API token '{token.name}' cannot be used right now; try again")
