"""Reads of training: an organisation's sessions, the sessions offered on a supplier's
improvement action or audit finding, requests to join, and the programme's training indicators.

Who sees a session: its organiser (and an organisation it was shared with by a grant); a
supplier sees the upcoming sessions offered to it — those of the organisation that assigned it
the assessment, or of the audit's programme owner and audit body, whose criteria include the
action's or finding's — and the sessions it asked to join. Nobody else.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from oretrace.assessments.models import ImprovementAction
from oretrace.audits.models import Finding
from oretrace.core.exceptions import NotFound
from oretrace.core.models import Membership
from oretrace.core.tenancy import owned, scope_to_member
from oretrace.programmes.choices import Gender, IloArea, Trainee
from oretrace.programmes.models import (
    JoinRequest,
    Programme,
    ReportingPeriod,
    TrainingMaterial,
    TrainingSession,
)
from oretrace.programmes.permissions import can_ask_to_join_training
from oretrace.registry.choices import FacilityKind
from oretrace.registry.models import Facility


def sessions_for(member: Membership) -> QuerySet[TrainingSession]:
    """The sessions the member's organisation organises (or that were shared with it)."""
    return scope_to_member(TrainingSession.objects.all(), member).select_related(
        "programme", "village", "facility"
    )


# Where a session can be held: a mine, a picking site, a collection point, a processing unit.
PLACES = (
    FacilityKind.MINE,
    FacilityKind.ASM_SITE,
    FacilityKind.COLLECTION_POINT,
    FacilityKind.PROCESSING_UNIT,
)


def training_places(member: Membership) -> QuerySet[Facility]:
    """The facilities of the member's organisation, or shared with it, a session may be held
    at (reference facilities are not places anyone trains at)."""
    return (
        scope_to_member(Facility.objects.filter(kind__in=PLACES), member)
        .filter(merged_into__isnull=True)
        .order_by("name")
    )


def session_for(member: Membership, session_id: int) -> TrainingSession:
    """A session the member organises, or one its organisation asked to join."""
    joined = owned(JoinRequest.objects.all(), member).values("session")
    found = (
        TrainingSession.objects.filter(
            Q(pk__in=sessions_for(member).values("pk")) | Q(pk__in=joined)
        )
        .filter(pk=session_id)
        .select_related("programme", "village", "facility", "organisation")
        .first()
    )
    if found is None:
        raise NotFound(f"no training session {session_id}")
    return found


def is_organiser(member: Membership, session: TrainingSession) -> bool:
    return member.organisation_id == session.organisation_id


def requests_for(member: Membership, session: TrainingSession) -> QuerySet[JoinRequest]:
    """Every request to join, for the organiser; the member's own organisation's otherwise."""
    found = session.join_requests.select_related("organisation", "created_by")
    if is_organiser(member, session):
        return found
    return owned(found, member)


def material_for(member: Membership, material_id: int) -> TrainingMaterial:
    found = TrainingMaterial.objects.select_related("session").filter(pk=material_id).first()
    if found is None:
        raise NotFound(f"no training material {material_id}")
    session_for(member, found.session_id)  # NotFound for whoever may not see the session
    return found


# --- offers on improvement actions and audit findings ------------------------------------------
@dataclass
class Offer:
    """The upcoming sessions offered on one action or finding, and whether the member may ask
    to join (the supplier's or auditee's own members holding the role)."""

    sessions: list[TrainingSession]
    may_ask: bool
    requested: dict[int, JoinRequest] = field(default_factory=dict)


def _upcoming(
    organisers: set[int], standard_code: str, criterion_code: str, today: date
) -> list[TrainingSession]:
    # Few upcoming sessions at any time: the criteria (a JSON list) are matched here, as the
    # training modules' are, the same on SQLite and PostgreSQL.
    candidates = TrainingSession.objects.filter(held_on__gte=today).order_by("held_on", "pk")
    return [
        s
        for s in candidates
        if s.organisation_id in organisers
        and criterion_code in s.criterion_codes
        and (not s.standard_code or s.standard_code == standard_code)
    ]


def _offer(
    member: Membership,
    organisers: set[int],
    standard: str,
    code: str,
    answering: bool,
    **link: object,
) -> Offer:
    sessions = _upcoming(organisers, standard, code, timezone.localdate())
    requested = {
        r.session_id: r
        for r in owned(JoinRequest.objects.filter(session__in=sessions, **link), member)
    }
    return Offer(sessions, answering and can_ask_to_join_training(member), requested)


def offer_for_action(member: Membership, action: ImprovementAction) -> Offer:
    """Sessions offered on an improvement action: the assigning organisation's and the
    supplier's own, on the action's criterion."""
    assessment = action.assessment
    organisers = {assessment.organisation_id, assessment.supplier_id}
    answering = member.organisation_id == assessment.supplier_id
    return _offer(
        member,
        organisers,
        assessment.standard.code,
        action.criterion.code,
        answering,
        improvement_action=action,
    )


def offer_for_finding(member: Membership, finding: Finding) -> Offer:
    """Sessions offered on an audit finding: the programme owner's, the audit body's and the
    auditee's own, on the finding's criterion."""
    audit = finding.audit
    organisers = {audit.organisation_id, audit.auditee_id}
    if audit.programme_owner_id is not None:
        organisers.add(audit.programme_owner_id)
    standard = audit.standard.code if audit.standard is not None else ""
    answering = member.organisation_id == audit.auditee_id
    return _offer(member, organisers, standard, finding.criterion.code, answering, finding=finding)


def action_for(member: Membership, action_id: int) -> ImprovementAction:
    found = (
        ImprovementAction.objects.for_member(member)
        .select_related("assessment__standard", "criterion")
        .filter(pk=action_id)
        .first()
    )
    if found is None:
        raise NotFound(f"no improvement action {action_id}")
    return found


def finding_for(member: Membership, finding_id: int) -> Finding:
    found = (
        Finding.objects.for_member(member)
        .select_related("audit__standard", "criterion")
        .filter(pk=finding_id)
        .first()
    )
    if found is None:
        raise NotFound(f"no finding {finding_id}")
    return found


# --- the programme's training indicators --------------------------------------------------------
@dataclass(frozen=True)
class TrainedRow:
    """People trained in one period (or all time), by role and gender."""

    period: str
    sessions: int
    people: dict[tuple[str, str], int]

    def of(self, role: str) -> int:
        return sum(n for (r, _g), n in self.people.items() if r == role)

    def of_gender(self, gender: str) -> int:
        return sum(n for (_r, g), n in self.people.items() if g == gender)

    @property
    def total(self) -> int:
        return sum(self.people.values())


def _people(session: TrainingSession) -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    for count in session.counts.all():
        found[count.role, count.gender] += count.people
    for person in session.staff.all():
        found[Trainee.FIELD_STAFF, person.gender] += 1
    return found


def trained_rows(programme: Programme) -> list[TrainedRow]:
    """People trained under the programme, by role and gender: all time, then each reporting
    period (sessions held in it); field staff counted from their names."""
    sessions = list(
        TrainingSession.objects.filter(programme=programme).prefetch_related("counts", "staff")
    )
    periods: list[tuple[str, date | None, date | None]] = [("", None, None)]
    periods += [
        (p.label, p.starts_on, p.ends_on)
        for p in ReportingPeriod.objects.filter(programme=programme).order_by("starts_on")
    ]
    rows = []
    for label, start, end in periods:
        chosen = [
            s
            for s in sessions
            if (start is None or s.held_on >= start) and (end is None or s.held_on <= end)
        ]
        total: Counter[tuple[str, str]] = Counter()
        for s in chosen:
            total.update(_people(s))
        rows.append(TrainedRow(label, len(chosen), dict(total)))
    return rows


@dataclass(frozen=True)
class TopicRow:
    """Sessions and people trained on one topic: a criterion code or an ILO area."""

    topic: str
    kind: str  # "criterion" or "area"
    sessions: int
    people: int


def topic_rows(programme: Programme) -> list[TopicRow]:
    """The programme's sessions by topic: each criterion code, then each ILO area of work."""
    sessions = list(
        TrainingSession.objects.filter(programme=programme).prefetch_related("counts", "staff")
    )
    by: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    names = dict(IloArea.choices)
    for s in sessions:
        people = sum(_people(s).values())
        topics = [("criterion", c) for c in s.criterion_codes]
        topics += [("area", str(names.get(a, a))) for a in s.areas]
        for key in topics:
            by[key][0] += 1
            by[key][1] += people
    return [TopicRow(topic, kind, n, p) for (kind, topic), (n, p) in sorted(by.items())]


ROLES = [(r.value, r.label) for r in Trainee]
GENDERS = [(g.value, g.label) for g in Gender]
