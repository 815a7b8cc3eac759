"""Reads of the grievance app that serve a member, scoped to their organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from oretrace.core.choices import Role
from oretrace.core.exceptions import NotFound
from oretrace.core.models import Membership
from oretrace.core.tenancy import owned, owned_by
from oretrace.grievances import cells
from oretrace.grievances.choices import OPEN_STATUSES, CaseStatus, Category, LinkTarget
from oretrace.grievances.models import Case, CaseLink, Channel, ContentRead, Survey, SurveyAnswer
from oretrace.grievances.permissions import can_handle_grievances


def channel_by_slug(slug: str) -> Channel:
    """A channel by its public address (anyone may reach an open channel)."""
    channel = Channel.objects.filter(slug=slug, is_open=True).first()
    if channel is None:
        raise NotFound(f"no open grievance channel at {slug!r}")
    return channel


def channels_for(member: Membership) -> QuerySet[Channel]:
    return owned(Channel.objects.all(), member)


def cases_for(member: Membership, *, status: str = "", overdue: bool = False) -> QuerySet[Case]:
    """The organisation's cases, for its grievance officers only (nobody else sees any)."""
    if not can_handle_grievances(member):
        return Case.objects.none()
    found = owned(Case.objects.select_related("channel", "assigned_to__user"), member)
    if status:
        found = found.filter(status=status)
    if overdue:
        found = found.filter(overdue_q())
    return found


def overdue_q(today: date | None = None) -> Q:
    """Open cases past a statutory deadline: not acknowledged, or without feedback, in time."""
    day = today or timezone.localdate()
    late_ack = Q(acknowledged_on__isnull=True, acknowledge_by__lt=day)
    late_feedback = Q(feedback_on__isnull=True, feedback_by__lt=day)
    return Q(status__in=OPEN_STATUSES) & (late_ack | late_feedback)


def case_for(member: Membership, case_id: int) -> Case:
    """One case of the member's organisation; ``NotFound`` for any other (or a non-officer)."""
    case = cases_for(member).filter(pk=case_id).first()
    if case is None:
        raise NotFound(f"no grievance case {case_id}")
    return case


def officers(member: Membership) -> list[Membership]:
    """The organisation's grievance officers (those a case may be assigned to)."""
    members = owned(Membership.objects.select_related("user"), member).order_by("user__email")
    return [m for m in members if Role.GRIEVANCE_OFFICER in m.roles]


def reads_of(case: Case) -> list[ContentRead]:
    """The latest readings of the case's texts, newest first."""
    return list(case.reads.select_related("member__user")[:20])


@dataclass(frozen=True)
class Counts:
    """The organisation's cases by status and how many are overdue: for the dashboard."""

    by_status: dict[str, int]
    overdue: int

    @property
    def open(self) -> int:
        return sum(n for s, n in self.by_status.items() if s != CaseStatus.CLOSED)


def counts(member: Membership) -> Counts:
    found = cases_for(member)
    rows = found.values("status").annotate(n=Count("pk")).order_by()
    return Counts({r["status"]: r["n"] for r in rows}, found.filter(overdue_q()).count())


# --- links of cases to the supply chain (services.links) ----------------------------------------
LINK_CHOICES_SHOWN = 200


def _linkable(member: Membership, target: str) -> QuerySet[Any]:
    """What of ``target``'s kind the member's organisation may see, and so link a case to:
    its own facilities and those shared with it (not the public reference list, which no
    organisation runs here), its suppliers, the lots it sees, the audits it takes part in."""
    from oretrace.audits.models import Audit
    from oretrace.declarations.models import Supplier
    from oretrace.registry.models import Facility
    from oretrace.traceability.models import Lot

    if target == LinkTarget.FACILITY:
        return Facility.objects.for_member(member).filter(
            organisation__isnull=False, merged_into=None
        )
    if target == LinkTarget.SUPPLIER:
        return Supplier.objects.for_member(member)
    if target == LinkTarget.LOT:
        return Lot.objects.for_member(member)
    if target == LinkTarget.AUDIT:
        return Audit.objects.for_member(member).select_related("facility")
    return Facility.objects.none()


def link_target(member: Membership, target: str, target_id: object) -> Any:
    """The facility, supplier, lot or audit ``target_id`` if the member's organisation may
    see it; ``NotFound`` otherwise (another organisation's row is as absent as a missing one)."""
    try:
        found = _linkable(member, target).filter(pk=int(str(target_id))).first()
    except ValueError:
        found = None
    if found is None:
        raise NotFound(f"no {target} {target_id} to link to")
    return found


def link_choices(member: Membership) -> list[tuple[str, list[tuple[str, str]]]]:
    """The case page's choice of what to link to, grouped by kind: ("facility:12", name)."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for target in LinkTarget:
        rows = _linkable(member, target.value).order_by("-pk")[:LINK_CHOICES_SHOWN]
        choices = [(f"{target.value}:{row.pk}", _link_label(row)) for row in rows]
        if choices:
            groups.append((str(target.label), sorted(choices, key=lambda c: c[1])))
    return groups


def _link_label(row: Any) -> str:
    from oretrace.audits.models import Audit

    if isinstance(row, Audit):
        return f"A-{row.pk} · {row.facility}"
    return str(getattr(row, "name_latin", "") or row)


def links_of(case: Case) -> list[CaseLink]:
    """The case's links to the supply chain, standing ones first."""
    related = ("facility", "supplier", "lot", "audit__facility", "linked_by__user")
    return list(case.links.select_related(*related).order_by("removed_on", "pk"))


# --- statistics shown to buyers (no cell under cells.MIN_CELL) ----------------------------------
def in_supply_chain(organisation_id: int, facility_id: int) -> bool:
    """Whether the facility is in the organisation's supply chain: its custody records hold a
    lot there (the trace walks an organisation's own lots), or a current declaration of its
    names the facility as a smelter or refiner."""
    from oretrace.declarations.models import SmelterEntry
    from oretrace.traceability.models import Lot

    if owned_by(Lot.objects.filter(facility_id=facility_id), organisation_id).exists():
        return True
    named = SmelterEntry.objects.filter(
        Q(facility_id=facility_id) | Q(review__facility_id=facility_id),
        declaration__organisation_id=organisation_id,
        declaration__superseded_by__isnull=True,
    )
    return named.exists()


def may_see_voice_statistics(member: Membership, facility: Any) -> bool:
    """Buyers see a facility's aggregated voice when it is in their supply chain; the
    facility's own organisation (and its operator) never does, however it is counted."""
    org = member.organisation_id
    if org in (facility.organisation_id, facility.operator_id):
        return False
    return in_supply_chain(org, facility.pk)


def quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


QUARTERS_SHOWN = 8


def linked_case_counts(facility_id: int) -> dict[tuple[str, str], int]:
    """Triaged cases of any grievance mechanism linked (and still linked) to the facility,
    directly, through a lot there or an audit of it: (category, quarter received) → count."""
    at = (
        Q(facility_id=facility_id)
        | Q(lot__facility_id=facility_id)
        | Q(audit__facility_id=facility_id)
    )
    case_ids = CaseLink.objects.filter(at, removed_on__isnull=True).values("case_id")
    found: dict[tuple[str, str], int] = {}
    rows = Case.objects.filter(pk__in=case_ids).exclude(category="")
    for category, received_on in rows.values_list("category", "received_on"):
        key = (category, quarter(received_on))
        found[key] = found.get(key, 0) + 1
    return found


def facility_statistics(member: Membership, facility: Any) -> cells.Table | None:
    """The facility's linked grievances by category and quarter, as a buyer may see them (no
    cell under five); None when the member's organisation may not see them or there are none."""
    if not may_see_voice_statistics(member, facility):
        return None
    counts = linked_case_counts(facility.pk)
    if not counts:
        return None
    labels = dict(Category.choices)
    categories = [c for c in Category.values if any(k[0] == c for k in counts)]
    quarters = sorted({q for _c, q in counts})[-QUARTERS_SHOWN:]
    shown = cells.table(counts, categories, quarters)
    return cells.Table(
        rows=[str(labels[c]) for c in categories],
        columns=quarters,
        cells={(str(labels[c]), q): v for (c, q), v in shown.cells.items()},
        row_totals={str(labels[c]): v for c, v in shown.row_totals.items()},
        column_totals=shown.column_totals,
        total=shown.total,
    )


# --- pulse surveys ------------------------------------------------------------------------------
def surveys_for(member: Membership) -> QuerySet[Survey]:
    """The organisation's own surveys (those who run them)."""
    from oretrace.grievances.permissions import can_run_surveys

    if not can_run_surveys(member):
        return Survey.objects.none()
    return owned(Survey.objects.select_related("channel", "facility"), member)


def survey_for(member: Membership, survey_id: int) -> Survey:
    survey = surveys_for(member).filter(pk=survey_id).first()
    if survey is None:
        raise NotFound(f"no survey {survey_id}")
    return survey


@dataclass(frozen=True)
class SurveyResults:
    """A survey's answers as shown outside it: per question, the options' counts with no cell
    under the minimum; the workers taking part, likewise."""

    survey: Survey
    taking_part: str
    questions: list[tuple[str, cells.Table]]


def survey_results(survey: Survey, language: str = "en") -> SurveyResults:
    from oretrace.grievances import pulse

    rows = (
        SurveyAnswer.objects.filter(survey=survey)
        .values("question", "option")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(r["question"], r["option"]): r["n"] for r in rows}
    shown: list[tuple[str, cells.Table]] = []
    for index, data in enumerate(survey.questions):
        question = pulse.Question.from_json(data)
        options = [o.get(language) or o["en"] for o in question.options]
        row = question.text.get(language) or question.text["en"]
        table = cells.table(
            {(row, options[o]): n for (q, o), n in counts.items() if q == index},
            [row],
            options,
        )
        shown.append((row, table))
    active = survey.opt_ins.filter(stopped_on__isnull=True).count()
    return SurveyResults(survey, cells.cell(active), shown)


def facility_surveys(
    member: Membership, facility: Any, language: str = "en"
) -> list[SurveyResults]:
    """The pulse surveys of a facility, as its page shows them: to the organisation running
    each, and to buyers whose supply chain includes the facility (never the facility's own)."""
    if may_see_voice_statistics(member, facility):
        found = Survey.objects.filter(facility=facility)
    else:  # its own surveys only (the facility's own organisation, whoever runs them)
        found = owned(Survey.objects.filter(facility=facility), member)
    return [survey_results(s, language) for s in found.filter(sent_on__isnull=False)[:5]]


def remediation_villages(member: Membership) -> list[tuple[int, str]]:
    """The organisation's programme villages a child's case may be opened in from a grievance,
    for a member who handles both grievances and children's cases; none otherwise."""
    from oretrace.programmes.models import Village
    from oretrace.programmes.permissions import can_handle_child_cases

    if not (can_handle_grievances(member) and can_handle_child_cases(member)):
        return []
    villages = owned(Village.objects.select_related("programme"), member).order_by("name")
    return [(v.pk, f"{v.name} · {v.programme}") for v in villages]


def remediation_village(member: Membership, village_id: object) -> Any:
    from oretrace.programmes.models import Village

    found = owned(Village.objects.select_related("programme"), member).filter(
        pk=int(str(village_id))
    )
    village = found.first()
    if village is None:
        raise NotFound(f"no village {village_id}")
    return village


# --- what a case opened in the audits app (services.actions) -------------------------------------
@dataclass(frozen=True)
class Opened:
    """A finding or an audit opened from a case, as its officer follows it: the audits app's
    own rows, read through its queries (None when the organisation no longer sees them)."""

    action: Any
    audit: Any
    finding: Any


def opened_from(case: Case, member: Membership) -> list[Opened]:
    """The findings and audits opened from the case, with where each stands now."""
    from oretrace.audits import queries as audit_queries
    from oretrace.grievances.models import CaseAuditAction

    actions = list(owned(CaseAuditAction.objects.filter(case=case), member))
    audits = audit_queries.audits_followed(member, [a.audit_id for a in actions])
    findings = audit_queries.findings_followed(
        member, [a.finding_id for a in actions if a.finding_id]
    )
    return [Opened(a, audits.get(a.audit_id), findings.get(a.finding_id or 0)) for a in actions]


Choices = list[tuple[str, list[tuple[str, str]]]]


def finding_places(case: Case, member: Membership) -> Choices:
    """Where the officer may add a finding from this case: the criteria of each audit the case
    is linked to that is in its fieldwork and that the officer's organisation runs, as an
    auditor ("<link>:<criterion>", grouped by audit)."""
    from oretrace.assessments.texts import localise
    from oretrace.audits import queries as audit_queries
    from oretrace.audits.choices import AuditStatus
    from oretrace.audits.services.sides import is_auditor

    groups: Choices = []
    standing = case.links.filter(target=LinkTarget.AUDIT, removed_on__isnull=True)
    for link in standing.select_related("audit__facility", "audit__organisation"):
        audit = link.audit
        if audit is None or audit.status != AuditStatus.FIELDWORK or not is_auditor(member, audit):
            continue
        criteria = audit_queries.criteria_of(audit)
        choices = [
            (f"{link.pk}:{c.pk}", f"{c.code} · {localise(c.requirement)[:90]}") for c in criteria
        ]
        if choices:
            groups.append((f"A-{audit.pk} · {audit.facility}", choices))
    return groups


def audit_subjects(case: Case, member: Membership) -> Choices:
    """What an unannounced audit may be planned of from this case: each linked facility, and
    the facilities of each linked supplier the member sees ("<link>:<facility>")."""
    from oretrace.audits import queries as audit_queries

    groups: Choices = []
    standing = case.links.filter(
        target__in=(LinkTarget.FACILITY, LinkTarget.SUPPLIER), removed_on__isnull=True
    ).select_related("facility", "supplier")
    for link in standing:
        if link.facility is not None:
            only = [(f"{link.pk}:{link.facility_id}", str(link.facility))]
            groups.append((str(LinkTarget.FACILITY.label), only))
            continue
        owner = link.supplier.linked_organisation_id if link.supplier else None
        if owner is None:
            continue
        facilities = owned_by(audit_queries.auditable_facilities(member), owner)
        choices = [(f"{link.pk}:{f.pk}", str(f)) for f in facilities]
        if choices:
            groups.append((str(link.supplier), choices))
    return groups
