"""Who may change declarations, suppliers and campaigns (reading them is open to members).

The `Permission` objects name the roles; the ``require_*`` functions are the checks the
services make before they write (the role, and that the record is the actor's organisation's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.utils.translation import gettext as _

from oretrace.core.actors import SystemActor
from oretrace.core.choices import Role
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.permissions import Permission
from oretrace.declarations.exceptions import CampaignClosed

if TYPE_CHECKING:
    from oretrace.core.models import Membership
    from oretrace.declarations.models import Campaign

_EDITORS = (Role.COMPLIANCE_OFFICER, Role.SUPPLIER_CONTRIBUTOR, Role.AUDITOR)

can_decide_declarations = Permission(
    "accept or reject declarations", (Role.COMPLIANCE_OFFICER, Role.AUDITOR)
)
can_edit_suppliers = Permission("record and import suppliers", _EDITORS)
can_import_declarations = Permission("import declarations", _EDITORS)
can_run_campaigns = Permission("run campaigns", (Role.COMPLIANCE_OFFICER,))


class _Owned(Protocol):
    @property
    def organisation_id(self) -> int: ...


def require_own(
    actor: Membership, permission: Permission, what: str, record: _Owned | None = None
) -> None:
    """Refuse unless ``actor`` holds ``permission`` and ``record`` (when given) is its own
    organisation's; ``what`` names the record in the refusal."""
    if record is not None and record.organisation_id != actor.organisation_id:
        raise PermissionDenied(f"this {what} belongs to another organisation")
    permission.require(actor)


def require_campaigns(actor: Membership | SystemActor, campaign: Campaign | None = None) -> None:
    """Refuse unless ``actor`` may run campaigns (of ``campaign``'s organisation, when given)."""
    if isinstance(actor, SystemActor):
        return
    if campaign is not None and campaign.organisation_id != actor.organisation_id:
        raise PermissionDenied(_("this campaign belongs to another organisation"))
    if not can_run_campaigns(actor):
        raise PermissionDenied(
            _("running campaigns needs the role compliance officer or administrator")
        )


def require_importing_suppliers(actor: Membership) -> None:
    """Refuse unless ``actor`` may import a supplier list."""
    if not can_edit_suppliers(actor):
        raise PermissionDenied(
            _(
                "importing suppliers needs the role compliance officer, supplier contributor, "
                "auditor or administrator"
            )
        )


def require_open(campaign: Campaign) -> None:
    """Refuse (`CampaignClosed`) once the campaign takes no more answers."""
    if not campaign.is_open:
        raise CampaignClosed(_("the campaign “%(name)s” is closed") % {"name": campaign.name})
