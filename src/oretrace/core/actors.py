"""Who performs a change: a member acting in an organisation, or the system itself."""

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


def actor_label(actor: Membership | SystemActor) -> str:
    if isinstance(actor, SystemActor):
        return actor.label
    return f"{actor.user.email} ({actor.organisation})"
