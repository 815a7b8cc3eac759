"""Who may do what with community programmes.

Members of the programme's organisation read its programmes, villages, visits and the
indicators computed from its cases. Compliance officers and case workers set programmes up and
record monitoring visits. A child's case is seen only by members holding the role **case
worker** themselves (an administrator's roles do not include it), and every opening of a
child's identity is logged (``CaseRead``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oretrace.core.choices import Role
from oretrace.core.permissions import Permission

if TYPE_CHECKING:
    from oretrace.core.models import Membership


def _holds_the_role(member: Membership) -> bool:
    return Role.CASE_WORKER in member.roles


can_run_programmes = Permission(
    "set up community programmes and record monitoring visits",
    (Role.COMPLIANCE_OFFICER, Role.CASE_WORKER),
)

can_handle_child_cases = Permission(
    "read and handle children's cases",
    (Role.CASE_WORKER,),
    also=_holds_the_role,
    also_needs="the role case worker, held in person (an administrator's roles do not include it)",
)

can_offer_support = Permission(
    "offer to fund or join a programme your material comes from",
    (Role.COMPLIANCE_OFFICER,),
)

can_issue_reports = Permission(
    "issue a programme's donor report",
    (Role.COMPLIANCE_OFFICER, Role.CASE_WORKER),
)
