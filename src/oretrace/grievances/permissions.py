"""Who may do what with grievances.

A grievance's texts are the most sensitive data oretrace keeps: they may name a worker who
fears for their job. Only members who hold the role **grievance officer** themselves read and
handle cases; an administrator, who holds every other role, does not read them until they give
themselves this role (which the change log records). Every reading of a case's texts is logged
(``ContentRead``). Channels are opened and closed by the organisation's administrators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oretrace.core.choices import Role
from oretrace.core.permissions import Permission

if TYPE_CHECKING:
    from oretrace.core.models import Membership


def _holds_the_role(member: Membership) -> bool:
    return Role.GRIEVANCE_OFFICER in member.roles


can_handle_grievances = Permission(
    "read and handle grievance cases",
    (Role.GRIEVANCE_OFFICER,),
    also=_holds_the_role,
    also_needs="the role grievance officer, held in person (an administrator's roles do not "
    "include it)",
)

can_manage_channels = Permission("open and close grievance channels", (Role.ADMIN,))

can_run_surveys = Permission(
    "run pulse surveys", (Role.COMPLIANCE_OFFICER, Role.GRIEVANCE_OFFICER, Role.CASE_WORKER)
)
