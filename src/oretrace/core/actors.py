"""Who performs a change: a member acting in an organisation, or the system itself.

The logs (ledger leaves, the change log) name a member only by their user's pseudonym, a
random identifier mapped to the user by ``core.Pseudonym``: never an e-mail address or a name.
Pages turn pseudonyms back into names with ``core.queries.actor_names`` while the mapping
exists; erasing the user removes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oretrace.core.models import Membership, User


@dataclass(frozen=True)
class SystemActor:
    """The platform acting on its own behalf: the CLI, a migration, the demo loader."""

    label: str = "system"

    @property
    def user(self) -> None:
        return None

    def has_role(self, *roles: str) -> bool:
        return True


SYSTEM = SystemActor()


def actor_user(actor: Membership | SystemActor) -> User | None:
    return actor.user


def acting_member(actor: Membership | SystemActor) -> Membership | None:
    """The member who acts, or None for the system: what a row's "by whom" column keeps."""
    return None if isinstance(actor, SystemActor) else actor


def pseudonym_of(user: User) -> str:
    """The user's pseudonym, created on first use (inside the caller's transaction)."""
    from oretrace.core.models import Pseudonym

    try:
        return str(user.pseudonym.value)
    except Pseudonym.DoesNotExist:
        mapping, _created = Pseudonym.objects.get_or_create(user=user)
        user.pseudonym = mapping
        return str(mapping.value)


def actor_label(actor: Membership | SystemActor) -> str:
    """How the logs name the actor: a system actor's label, or the member's pseudonym."""
    if isinstance(actor, SystemActor):
        return actor.label
    return pseudonym_of(actor.user)
