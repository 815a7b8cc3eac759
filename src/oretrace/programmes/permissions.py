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


# --- formalisation: the licences of mines and collection points --------------------------------
# Who records a licence: the facility's owner (its compliance officers and supplier
# contributors) and an organisation running a programme whose villages the facility is linked to
# (its compliance officers and case workers). Being one of these parties is checked on the
# facility (``queries.licences.licence_parties``); the roles here.
can_record_licences = Permission(
    "record the licence of a mine or collection point",
    (Role.COMPLIANCE_OFFICER, Role.SUPPLIER_CONTRIBUTOR, Role.CASE_WORKER),
)


# --- training and local staff ------------------------------------------------------------------
# An organisation's compliance officers and case workers organise its training sessions (a
# programme's, an initiative's or a buyer's), record attendance and answer requests to join;
# a supplier's compliance officers and contributors ask to join one offered on their
# improvement plan or audit findings (the same roles that answer those).
can_run_trainings = Permission(
    "organise training sessions and record who attended",
    (Role.COMPLIANCE_OFFICER, Role.CASE_WORKER),
)
can_ask_to_join_training = Permission(
    "ask to join a training session",
    (Role.COMPLIANCE_OFFICER, Role.SUPPLIER_CONTRIBUTOR),
)

can_offer_support = Permission(
    "offer to fund or join a programme your material comes from",
    (Role.COMPLIANCE_OFFICER,),
)

can_issue_reports = Permission(
    "issue a programme's donor report",
    (Role.COMPLIANCE_OFFICER, Role.CASE_WORKER),
)
