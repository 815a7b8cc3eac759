"""The role model in one place: every permission of every app is a ``Permission`` built here.

Each app's ``permissions.py`` names its permissions (``can_capture_events = Permission(...)``);
services call ``.require(actor, ...)`` before they write, views and the API call the same object
(``can_capture_events(member)``) to show or hide an action. An administrator holds every role;
the system (CLI, jobs, demo) may do everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from oretrace.core.actors import SystemActor
from oretrace.core.choices import Role
from oretrace.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from oretrace.core.models import Membership


@dataclass(frozen=True)
class Permission:
    """Members holding any of ``roles`` (administrators hold every role) may do ``action``."""

    action: str  # "capture EPCIS events": names the action in a refusal
    roles: tuple[str, ...]
    # An extra condition on the member, e.g. platform staff for reference data, and how a
    # refusal says it ("to be a platform curator"); the roles are named otherwise.
    also: Callable[[Membership], bool] | None = None
    also_needs: str = ""

    def __call__(self, actor: Membership | SystemActor | None) -> bool:
        """True when ``actor`` may do this (in their own organisation)."""
        if isinstance(actor, SystemActor):
            return True
        if actor is None or not actor.has_role(*self.roles):
            return False
        return self.also is None or self.also(actor)

    def allows(self, actor: Membership | SystemActor, *, organisation_id: int) -> bool:
        """True when ``actor`` may do this for ``organisation_id``: the system, or a member of
        that organisation who may do it (the question ``require`` refuses on)."""
        return isinstance(actor, SystemActor) or (
            actor.organisation_id == organisation_id and self(actor)
        )

    def require(
        self, actor: Membership | SystemActor, *, organisation_id: int | None = None
    ) -> None:
        """Refuse (``PermissionDenied``) unless ``actor`` may do this for ``organisation_id``."""
        if isinstance(actor, SystemActor):
            return
        if organisation_id is not None and actor.organisation_id != organisation_id:
            raise PermissionDenied(f"only members of the owning organisation can {self.action}")
        if not self(actor):
            raise PermissionDenied(f"to {self.action} you need {self.needs}")

    @property
    def needs(self) -> str:
        """The roles, in words: 'the role compliance officer or auditor, or administrator'."""
        if self.also_needs:
            return self.also_needs
        labels = dict(Role.choices)
        names = [str(labels[r]).lower() for r in self.roles if r != Role.ADMIN]
        if not names:
            return "the role administrator"
        return f"the role {' or '.join(names)} (or administrator)"


# --- the core app's own permissions ------------------------------------------------------------
can_manage_organisation = Permission("change the organisation and its members", (Role.ADMIN,))
can_share = Permission("share records with another organisation", (Role.COMPLIANCE_OFFICER,))
can_cancel_any_job = Permission("cancel another user's job", (Role.ADMIN,))
can_reload_reference = Permission("reload the reference catalogues", (Role.ADMIN,))
# The platform's operator (a staff user) approves sign-ups and oversees organisations.
can_operate = Permission(
    "approve organisations and oversee the platform",
    tuple(Role.values),
    also=lambda member: bool(member.user.is_staff),
    also_needs="to be the platform's operator (a staff user)",
)
