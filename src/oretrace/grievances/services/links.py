"""Cases linked to the supply chain: a grievance officer ties a case to a facility, a supplier,
a lot or an audit their organisation may see.

The link feeds the risk app, which raises a red flag on the linked facility, supplier or lot
(rule ``grievance-linked``) and shares that flag with the organisation the link concerns (the
facility's, the supplier's own, the lot's, the audited one). The flag names the case's
category and severity and nothing else: no case number, no text, no date of the report, no
way back to the case. So a case must be triaged before it is linked. Removing the link (or
closing the case) closes the flag at the next recomputation.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oretrace.core.changelog import log_change, update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import NotFound
from oretrace.core.models import Membership
from oretrace.grievances import queries
from oretrace.grievances.choices import CaseStatus, LinkTarget
from oretrace.grievances.exceptions import GrievanceError
from oretrace.grievances.models import Case, CaseLink
from oretrace.grievances.permissions import can_handle_grievances


def parse_choice(value: str) -> tuple[str, str]:
    """("facility", "12") from the form's "facility:12"; a clear error otherwise."""
    target, _sep, target_id = (value or "").partition(":")
    if target not in LinkTarget.values or not target_id.isdigit():
        raise GrievanceError(
            _("Link to: choose a facility, supplier, lot or audit from the list."), field="subject"
        )
    return target, target_id


@transaction.atomic
def link_case(case: Case, *, actor: Membership, target: str, target_id: object) -> CaseLink:
    """Link a triaged, open case to something of the supply chain the officer's organisation
    may see; the red flag follows once the link commits (``risk.redflags.triggers``)."""
    can_handle_grievances.require(actor, organisation_id=case.organisation_id)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if target not in LinkTarget.values:
        raise GrievanceError(f"target: {target!r} is not one of {', '.join(LinkTarget.values)}")
    if case.status == CaseStatus.CLOSED:
        raise GrievanceError(_("Case %(case)s is closed; reopen it first.") % {"case": case})
    if not case.category or not case.severity:
        raise GrievanceError(
            _("Triage the case first: the red flag names its category and severity.")
        )
    try:
        subject = queries.link_target(actor, target, target_id)
    except NotFound:
        raise GrievanceError(
            _("Link to: no such %(kind)s among those your organisation sees.")
            % {"kind": LinkTarget(target).label},
            field="subject",
        ) from None
    standing = CaseLink.objects.filter(
        case=case, target=target, removed_on__isnull=True, **{f"{target}_id": subject.pk}
    )
    if standing.exists():
        raise GrievanceError(_("The case is already linked to it."), field="subject")
    link = CaseLink.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        target=target,
        token=secrets.token_hex(16),
        linked_on=timezone.localdate(),
        linked_by=actor,
        **{target: subject},
    )
    log_change(link, action=ChangeAction.CREATE, actor=actor, organisation=case.organisation)
    return link


@transaction.atomic
def unlink(link: CaseLink, *, actor: Membership) -> CaseLink:
    """Remove a link (kept, marked removed): its red flag closes at the next recomputation."""
    can_handle_grievances.require(actor, organisation_id=link.organisation_id)
    if link.removed_on is not None:
        raise GrievanceError(_("This link was already removed."))
    return update_and_log(link, actor=actor, removed_on=timezone.localdate())


@transaction.atomic
def open_remediation(
    case: Case,
    *,
    actor: Membership,
    village: Any,
    identity: Any,
    age_band: str,
    identified_on: date,
    consent_by: str,
    consent_on: date,
    found_working: bool = True,
) -> Any:
    """Open a child's remediation case in one of the organisation's programme villages from a
    grievance (the officer must be a case worker too): the child case records only that it
    came from a grievance, never the report; the grievance moves to remediation and an
    internal note names the child case for its officers."""
    from oretrace.grievances.services import cases as case_services
    from oretrace.programmes.choices import Source
    from oretrace.programmes.services import cases as child_cases

    can_handle_grievances.require(actor, organisation_id=case.organisation_id)
    if village.organisation_id != case.organisation_id:
        raise GrievanceError(_("Village: choose one of your organisation's programmes."))
    if case.status == CaseStatus.CLOSED:
        raise GrievanceError(_("Case %(case)s is closed; reopen it first.") % {"case": case})
    child = child_cases.identify(
        village,
        actor=actor,
        identity=identity,
        age_band=age_band,
        source=Source.GRIEVANCE,
        identified_on=identified_on,
        consent_by=consent_by,
        consent_on=consent_on,
        found_working=found_working,
    )
    if case.status != CaseStatus.REMEDIATION:
        case_services.start_remediation(case, actor=actor)
    note = _("Remediation case %(reference)s opened in %(programme)s, %(village)s.") % {
        "reference": child.reference,
        "programme": village.programme,
        "village": village,
    }
    case_services.add_note(case, actor=actor, text=note)
    return child
