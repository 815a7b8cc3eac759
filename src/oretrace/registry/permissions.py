"""Who may change what in the registry."""

from __future__ import annotations

from oretrace.core.actors import SystemActor
from oretrace.core.choices import Role
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import Membership
from oretrace.core.permissions import Permission
from oretrace.registry.models import Facility

# Roles that record facilities, names and identifiers for their organisation.
EDITORS = (Role.COMPLIANCE_OFFICER, Role.SUPPLIER_CONTRIBUTOR, Role.AUDITOR)

can_edit_facilities = Permission("record facilities, their names and identifiers", EDITORS)
can_review_matches = Permission("queue and decide name matches", EDITORS)
# Reference data (facilities from reference lists) is curated by platform staff only.
can_curate = Permission(
    "change reference data",
    tuple(Role.values),
    also=lambda member: bool(member.user.is_staff),
    also_needs="to be a platform curator (a staff user)",
)

# A reference list (the RMI smelter/refiner lists) is loaded by a curator into the shared
# registry, or by an organisation's administrator into the organisation's own registry.
can_load_reference_lists = Permission(
    "load reference lists",
    tuple(Role.values),
    also=lambda member: bool(member.user.is_staff) or Role.ADMIN in member.roles,
    also_needs="the role administrator (or to be a platform curator, a staff user)",
)


def is_curator(actor: Membership | SystemActor) -> bool:
    return can_curate(actor)


def require_editor(actor: Membership | SystemActor, facility: Facility | None = None) -> None:
    """Refuse unless ``actor`` may change ``facility`` (or create one, when it is None)."""
    if isinstance(actor, SystemActor):
        return
    if facility is not None and facility.is_reference:
        if not is_curator(actor):
            raise PermissionDenied(
                f"{facility} is a reference facility: only platform curators change it"
            )
        return
    if facility is not None and facility.organisation_id != actor.organisation_id:
        raise PermissionDenied(f"{facility} belongs to another organisation")
    can_edit_facilities.require(actor)


def require_curator(actor: Membership | SystemActor) -> None:
    if not is_curator(actor):
        raise PermissionDenied("only platform curators (staff users) change reference data")
