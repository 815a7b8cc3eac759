"""Reads of the audits app, scoped through the member's visibility (``Audit.for_member``):
the audit lists of each side, one audit with its checklist, findings, actions and support, the
training and improvement steps that help close a finding, and the overdue corrective actions
the dashboards show."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from oretrace.assessments.models import Criterion, Section, TrainingModule
from oretrace.assessments.texts import localise, text_language
from oretrace.audits.choices import NEEDS_ACTION, ActionStatus, AuditStatus
from oretrace.audits.models import (
    ActionEvidence,
    Audit,
    CorrectiveAction,
    Finding,
    FindingEvidence,
    ProgrammeVersion,
    SupportRequest,
)
from oretrace.core.choices import OrganisationKind
from oretrace.core.exceptions import NotFound
from oretrace.core.models import Membership, Organisation
from oretrace.core.tenancy import get_for_member, owned, owned_by, visible
from oretrace.registry.models import Facility

RUNNING = (AuditStatus.REPORT, AuditStatus.CAP, AuditStatus.VERIFICATION)


def audits_for(member: Membership, side: str = "") -> QuerySet[Audit]:
    """The audits the member sees; ``side`` keeps those its organisation runs ("body"),
    undergoes ("auditee") or owns the programme of ("owner")."""
    found = visible(Audit.objects.all(), member).select_related(
        "programme", "auditee", "facility", "organisation", "programme_owner"
    )
    org = member.organisation_id
    if side == "auditee":
        return found.filter(auditee_id=org)
    if side == "owner":
        return found.filter(programme_owner_id=org)
    if side == "body":
        return found.exclude(auditee_id=org).exclude(programme_owner_id=org)
    return found


def audit_for(member: Membership, audit_id: int | str) -> Audit:
    return get_for_member(audits_for(member), member, pk=audit_id)


def programmes_for(member: Membership) -> QuerySet[ProgrammeVersion]:
    return visible(ProgrammeVersion.objects.all(), member)


def finding_for(member: Membership, finding_id: int | str) -> Finding:
    rows = Finding.objects.select_related("audit", "criterion")
    return get_for_member(rows, member, pk=finding_id)


def action_for(member: Membership, action_id: int | str) -> CorrectiveAction:
    rows = CorrectiveAction.objects.select_related("finding__audit", "finding__criterion")
    return get_for_member(rows, member, pk=action_id)


def request_for(member: Membership, request_id: int | str) -> SupportRequest:
    rows = SupportRequest.objects.select_related("finding__audit", "finding__criterion")
    return get_for_member(rows, member, pk=request_id)


def finding_file_for(member: Membership, file_id: int | str) -> FindingEvidence:
    return get_for_member(FindingEvidence.objects.all(), member, pk=file_id)


def action_file_for(member: Membership, file_id: int | str) -> ActionEvidence:
    return get_for_member(ActionEvidence.objects.all(), member, pk=file_id)


@dataclass
class Help:
    """What helps close a finding: the criterion's improvement steps and training modules."""

    steps: list[str]
    steps_language: str
    training: list[TrainingModule]


@dataclass
class Row:
    """One criterion of the checklist, with its finding (if any) and the help to close it."""

    criterion: Criterion
    finding: Finding | None
    help: Help | None = None


@dataclass
class SectionRows:
    section: Section
    rows: list[Row] = field(default_factory=list)


def _findings(audit: Audit) -> list[Finding]:
    actions = CorrectiveAction.objects.prefetch_related("evidence").order_by("round", "due_on")
    return list(
        audit.findings.select_related("criterion__section").prefetch_related(
            "evidence", Prefetch("actions", queryset=actions), "support_requests"
        )
    )


def training_library(audit: Audit, member: Membership) -> dict[str, list[TrainingModule]]:
    """Training modules for each criterion code of the audit's standard: those the member sees,
    and the libraries of the programme's owner and the audit body, which they offer the audited
    (as an assessment's assigner does)."""
    if audit.standard is None:
        return {}
    code = audit.standard.code
    modules = {m.pk: m for m in visible(TrainingModule.objects.filter(standard_code=code), member)}
    for offering in (audit.programme_owner_id, audit.organisation_id):
        if offering is not None:
            library = owned_by(TrainingModule.objects.filter(standard_code=code), offering)
            modules.update({m.pk: m for m in library})
    found: dict[str, list[TrainingModule]] = defaultdict(list)
    for module in sorted(modules.values(), key=lambda m: (m.title, m.language)):
        for criterion_code in module.criterion_codes:
            found[criterion_code].append(module)
    return found


def help_for(criterion: Criterion, training: dict[str, list[TrainingModule]]) -> Help:
    steps = localise(criterion.improvement_steps)
    return Help(
        [line.strip() for line in steps.splitlines() if line.strip()],
        text_language(criterion.improvement_steps),
        training.get(criterion.code, []),
    )


def checklist(audit: Audit, member: Membership, *, with_help: bool = False) -> list[SectionRows]:
    """Every criterion of the audit's standard by section, with its finding, and (for the
    findings) the improvement steps and training that help close it."""
    if audit.standard is None:
        return []
    by_criterion = {f.criterion_id: f for f in _findings(audit)}
    training = training_library(audit, member) if with_help else {}
    sections: list[SectionRows] = []
    criteria = Criterion.objects.filter(section__standard=audit.standard).select_related("section")
    for criterion in criteria.order_by("section__position", "position"):
        if not sections or sections[-1].section.pk != criterion.section_id:
            sections.append(SectionRows(criterion.section))
        finding = by_criterion.get(criterion.pk)
        helping = help_for(criterion, training) if with_help and finding is not None else None
        sections[-1].rows.append(Row(criterion, finding, helping))
    return sections


def findings_with_help(audit: Audit, member: Membership) -> list[Row]:
    """The audit's findings in checklist order, each with the help to close it."""
    training = training_library(audit, member)
    return [Row(f.criterion, f, help_for(f.criterion, training)) for f in _findings(audit)]


def counts(audit: Audit) -> dict[str, Any]:
    grades: dict[str, int] = defaultdict(int)
    for grade in audit.findings.values_list("grade", flat=True):
        grades[grade] += 1
    return {"grades": dict(grades), "to_answer": sum(grades[g] for g in NEEDS_ACTION)}


def overdue_actions_for(member: Membership, today: date) -> QuerySet[CorrectiveAction]:
    """Open corrective actions past their due date, of running audits the member sees (as
    auditee, audit body or programme owner), oldest first."""
    return (
        visible(CorrectiveAction.objects.all(), member)
        .filter(status=ActionStatus.OPEN, due_on__lt=today, finding__audit__status__in=RUNNING)
        .select_related("finding__audit__facility", "finding__criterion")
        .order_by("due_on", "pk")
    )


def steps_of(audit: Audit) -> QuerySet[Any]:
    return audit.steps.select_related("by__user")


def criterion_of(audit: Audit, criterion_id: int | str) -> Criterion:
    """A criterion of the audit's standard, or ``NotFound``."""
    if audit.standard_id is None:
        raise NotFound("The audit's programme names no standard.")
    found = Criterion.objects.filter(section__standard_id=audit.standard_id, pk=criterion_id)
    criterion = found.select_related("section").first()
    if criterion is None:
        raise NotFound("No such criterion in the audit's standard.")
    return criterion


def finding_of(audit: Audit, criterion: Criterion) -> Finding | None:
    return (
        audit.findings.filter(criterion=criterion)
        .select_related("criterion")
        .prefetch_related("evidence")
        .first()
    )


def finding_in(audit: Audit, finding_id: int | str) -> Finding:
    """A finding of this audit, or ``NotFound``."""
    try:
        found = audit.findings.filter(pk=int(finding_id)).select_related("criterion").first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound("No such finding in the audit.")
    return found


def auditable_facilities(member: Membership) -> QuerySet[Facility]:
    """Facilities the member sees that another organisation owns: those it can audit."""
    return (
        visible(Facility.objects.live(), member)
        .exclude(organisation__isnull=True)
        .exclude(pk__in=owned(Facility.objects.all(), member).values("pk"))
        .select_related("organisation")
        .order_by("name")
    )


def programme_owners() -> QuerySet[Organisation]:
    """Organisations that may own an audit programme: initiatives and brands (their names
    are public: they run programmes that suppliers join)."""
    return Organisation.objects.filter(
        kind__in=(OrganisationKind.INITIATIVE, OrganisationKind.BRAND)
    ).order_by("legal_name")


# --- findings across audits (the findings list, its downloads and the API) ----------------------


def findings_for(
    member: Membership, *, audit_id: int | None = None, grade: str = "", state: str = ""
) -> QuerySet[Finding]:
    """Findings of the audits the member sees, newest audit first, in checklist order; by
    audit, grade, and ``state`` ``open`` (an audit still running) or ``closed``."""
    found = Finding.objects.filter(audit__in=audits_for(member)).select_related(
        "audit__facility", "audit__auditee", "criterion__section"
    )
    if audit_id is not None:
        found = found.filter(audit_id=audit_id)
    if grade:
        found = found.filter(grade=grade)
    if state == "open":
        found = found.exclude(audit__status=AuditStatus.CLOSED)
    elif state == "closed":
        found = found.filter(audit__status=AuditStatus.CLOSED)
    return found.prefetch_related("actions", "evidence").order_by(
        "-audit__planned_start", "-audit_id", "criterion__section__position", "criterion__position"
    )


def criterion_by_code(audit: Audit, code: str) -> Criterion | None:
    """The criterion of the audit's standard with this code, if there is one."""
    if audit.standard_id is None:
        return None
    return Criterion.objects.filter(section__standard_id=audit.standard_id, code=code).first()


# --- followed from elsewhere (a grievance officer follows what a case opened) -------------------


def audits_followed(member: Membership, audit_ids: list[int]) -> dict[int, Audit]:
    """The audits among ``audit_ids`` the member sees, by id, with their facility."""
    found = audits_for(member).filter(pk__in=audit_ids)
    return {audit.pk: audit for audit in found}


def findings_followed(member: Membership, finding_ids: list[int]) -> dict[int, Finding]:
    """The findings among ``finding_ids`` the member sees, by id, with their criterion, their
    audit and their corrective actions (each one's status and due date)."""
    found = (
        visible(Finding.objects.all(), member)
        .filter(pk__in=finding_ids)
        .select_related("criterion", "audit__facility")
        .prefetch_related(Prefetch("actions", CorrectiveAction.objects.order_by("due_on", "pk")))
    )
    return {finding.pk: finding for finding in found}


def open_audits_of(member: Membership, facility_id: int) -> QuerySet[Audit]:
    """The audits of a facility the member sees that are not closed yet."""
    return audits_for(member).filter(facility_id=facility_id).exclude(status=AuditStatus.CLOSED)


def criteria_of(audit: Audit) -> QuerySet[Criterion]:
    """The criteria of the audit's standard, in checklist order (none without a standard)."""
    if audit.standard_id is None:
        return Criterion.objects.none()
    return Criterion.objects.filter(section__standard_id=audit.standard_id).order_by(
        "section__position", "position", "pk"
    )
