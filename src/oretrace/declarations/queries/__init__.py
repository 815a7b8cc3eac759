"""Reads of the declarations app, always scoped to the member's organisation."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict

from oretrace.core.models import Membership
from oretrace.declarations.choices import (
    CMRT_COMPANY_QUESTION_TEXTS,
    QUESTION_TEXTS,
    Severity,
    SmelterMatch,
)
from oretrace.declarations.models import Declaration, Issue, SmelterEntry
from oretrace.declarations.rmi.maps import QUESTION_ROLES
from oretrace.registry.choices import ReviewStatus, status_label
from oretrace.registry.matching import DEFAULT_THRESHOLDS
from oretrace.registry.models import Facility
from oretrace.registry.queries import (
    CONFORMANT,
    headline_statuses,
    headline_statuses_for_organisation,
)

# Issues about a row's place in the registry: derived from the current matches, reviews and
# assurance statuses whenever they are read, never stored (they would go stale as the registry
# and the review queue move on). Declarations imported before kept them in ``issues``: those
# stored copies are left out when the issues are read.
REGISTRY_ISSUE_CODES = frozenset(
    {"smelter-not-in-registry", "smelter-needs-review", "smelter-not-conformant"}
)


class DeclarationFilter(BaseModel):
    """What a declaration search asks for (the API reads it from the query string as it is)."""

    model_config = ConfigDict(frozen=True)

    status: str = ""
    family: str = ""
    supplier: int | None = None
    flagged: bool | None = None
    include_superseded: bool = False
    q: str = ""


def search_declarations(member: Membership, f: DeclarationFilter) -> QuerySet[Declaration]:
    found = Declaration.objects.for_member(member).select_related("supplier")
    if not f.include_superseded:
        found = found.filter(superseded_by__isnull=True)
    if f.status:
        found = found.filter(status=f.status)
    if f.family:
        found = found.filter(family=f.family.upper())
    if f.supplier:
        found = found.filter(supplier_id=f.supplier)
    if f.flagged is not None:
        found = found.filter(flag_count__gt=0) if f.flagged else found.filter(flag_count=0)
    if f.q:
        found = found.filter(company_name__icontains=f.q) | found.filter(filename__icontains=f.q)
    return found.defer("content")


@dataclass(frozen=True)
class EntryView:
    """A smelter row with the facility it names (if known) and that facility's status."""

    entry: SmelterEntry
    facility: Facility | None
    status: str

    @property
    def conformant(self) -> bool:
        return self.status.casefold() in CONFORMANT

    @property
    def match(self) -> str:
        """Where the row stands now: a review decided since the import links it (matched),
        a rejected one leaves it out of the registry."""
        return current_match(self.entry)


def current_match(entry: SmelterEntry) -> str:
    if entry.match == SmelterMatch.NOT_IDENTIFIED or entry.facility_id is not None:
        return entry.match
    review = entry.review
    if review is None or review.status == ReviewStatus.OPEN:
        return entry.match
    return SmelterMatch.MATCHED if review.facility_id is not None else SmelterMatch.UNMATCHED


def entries_of(declaration: Declaration, member: Membership) -> list[EntryView]:
    entries = list(declaration.smelter_entries.select_related("review").order_by("row"))
    ids = {e.resolved_facility_id for e in entries if e.resolved_facility_id is not None}
    facilities = {f.pk: f for f in Facility.objects.for_member(member).filter(pk__in=ids)}
    statuses = headline_statuses(facilities, member) if facilities else {}
    views = []
    for entry in entries:
        fid = entry.resolved_facility_id
        facility = facilities.get(fid) if fid is not None else None
        status = statuses.get(facility.pk, "") if facility is not None else ""
        views.append(EntryView(entry, facility, status))
    return views


def evidence_file(declaration: Declaration) -> bytes | None:
    """The file kept as received, or None when it is missing or its SHA-256 is not the one
    recorded at import (``oretrace ledger audit`` reports which)."""
    if not declaration.stored_file:
        return None
    try:
        data = (Path(settings.MEDIA_ROOT) / declaration.stored_file).read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == declaration.sha256 else None


def question_text(family: str, key: str) -> str:
    """What a question of the family's Declaration sheet asks, in our words ("" if unknown)."""
    role = QUESTION_ROLES.get(family, {}).get(key)
    if role is not None:
        return str(QUESTION_TEXTS.get(role, ""))
    if family == "CMRT":
        return str(CMRT_COMPANY_QUESTION_TEXTS.get(key, ""))
    return ""


@dataclass(frozen=True)
class RowState:
    """What the registry flags of one smelter row depend on, as things stand."""

    row: int
    name: str
    facility_id: int | None  # the engine's match or a reviewer's decision
    review_open: bool  # the name waits in the review queue
    best_score: float | None  # the open review's best candidate


def row_state(entry: SmelterEntry) -> RowState | None:
    """The row's current state; None for a row that names no smelter (not yet identified)."""
    if entry.match == SmelterMatch.NOT_IDENTIFIED:
        return None
    review = entry.review if entry.review_id is not None else None
    review_open = review is not None and review.status == ReviewStatus.OPEN
    best = None
    if review is not None and review_open:
        best = max((c["score"] for c in review.candidates), default=None)
    return RowState(entry.row, entry.name, entry.resolved_facility_id, review_open, best)


def registry_issues(rows: Iterable[RowState], statuses: dict[int, str]) -> list[Issue]:
    """Red flags and warnings about the rows' smelters, from their current matches and the
    current assurance statuses (``headline_statuses`` of the matched facilities)."""
    issues = []
    for state in rows:
        where = {"sheet": "Smelter List", "cell": f"D{state.row}"}
        values = {"row": state.row, "name": state.name}
        if state.facility_id is not None:
            status = statuses.get(state.facility_id, "")
            if status.casefold() in CONFORMANT:
                continue
            code, severity = "smelter-not-conformant", Severity.FLAG
            message = (
                _("row %(row)s: %(name)s is “%(status)s”, not conformant")
                % {**values, "status": status_label(status)}
                if status
                else _("row %(row)s: %(name)s has no assurance status, so is not conformant")
                % values
            )
        elif state.review_open and (state.best_score or 0) >= DEFAULT_THRESHOLDS.review:
            code, severity = "smelter-needs-review", Severity.WARNING
            message = (
                _(
                    "row %(row)s: %(name)s may be one of several registry facilities; "
                    "it waits in the review queue"
                )
                % values
            )
        elif state.review_open:
            code, severity = "smelter-not-in-registry", Severity.FLAG
            message = (
                _(
                    "row %(row)s: %(name)s is not a known smelter or refiner; "
                    "it waits in the review queue"
                )
                % values
            )
        else:
            code, severity = "smelter-not-in-registry", Severity.FLAG
            message = (
                _(
                    "row %(row)s: %(name)s is not a known smelter or refiner; a reviewer "
                    "found no registry facility for it"
                )
                % values
            )
        issues.append({"severity": severity.value, "code": code, "message": message, **where})
    return issues


def _row_issues(
    declaration: Declaration, member: Membership | None, organisation_id: int
) -> list[Issue]:
    entries = list(declaration.smelter_entries.select_related("review").order_by("row"))
    states = [s for s in map(row_state, entries) if s is not None]
    ids = {s.facility_id for s in states} - {None}
    statuses = headline_statuses_for(ids, member, organisation_id) if ids else {}
    return registry_issues(states, statuses)


def headline_statuses_for(
    ids: Iterable[int | None], member: Membership | None, organisation_id: int
) -> dict[int, str]:
    """``headline_statuses`` for a member, or for an organisation when a job has no member."""
    wanted = {i for i in ids if i is not None}
    if member is not None:
        return headline_statuses(wanted, member)
    return headline_statuses_for_organisation(wanted, organisation_id)


def current_issues(declaration: Declaration, member: Membership | None = None) -> list[Issue]:
    """The declaration's issues as things stand: the template's checks from the import, then
    the registry's flags and warnings about its smelter rows derived from the current state."""
    kept = [i for i in declaration.issues if i["code"] not in REGISTRY_ISSUE_CODES]
    return kept + _row_issues(declaration, member, declaration.organisation_id)


def issue_counts(issues: Iterable[Issue]) -> dict[str, int]:
    counts = dict.fromkeys(Severity.values, 0)
    for issue in issues:
        counts[issue["severity"]] += 1
    return counts


def answers_by_mineral(
    declaration: Declaration,
) -> tuple[list[str], list[tuple[str, list[dict[str, Any]]]]]:
    """(minerals, [(question, [answer per mineral, in the minerals' order])]) for a grid."""
    minerals: list[str] = []
    grouped: dict[str, dict[str, dict[str, Any]]] = {}
    for answer in declaration.content.get("answers", []):
        if answer["mineral"] not in minerals:
            minerals.append(answer["mineral"])
        grouped.setdefault(answer["question"], {})[answer["mineral"]] = answer
    empty = {"answer": "", "comment": ""}
    return minerals, [
        (question, [by_mineral.get(m, empty) for m in minerals])
        for question, by_mineral in grouped.items()
    ]


@dataclass(frozen=True)
class Naming:
    """A current declaration's smelter row that names a facility, with its supplier."""

    entry: SmelterEntry
    declaration: Declaration
    by_review: bool  # linked by a person's review decision, not the engine's own match


def namings_of(facility: Facility, member: Membership) -> list[Naming]:
    """Which suppliers named ``facility`` in their current declarations (not superseded), and
    how: the row as declared (name, ID, metal) and whether a person confirmed the link."""
    current = Declaration.objects.for_member(member).filter(superseded_by__isnull=True)
    rows = (
        SmelterEntry.objects.filter(declaration__in=current)
        .filter(Q(facility=facility) | Q(facility__isnull=True, review__facility=facility))
        .select_related("declaration__supplier")
        .defer("declaration__content")
        .order_by("declaration__supplier__name", "declaration_id", "row")
    )
    return [Naming(e, e.declaration, e.facility_id is None) for e in rows]


# --- what changed since the superseded version --------------------------------------------------


@dataclass(frozen=True)
class AnswerChange:
    question: str
    text: str
    mineral: str
    before: str
    after: str


@dataclass(frozen=True)
class Comparison:
    """What a declaration changed against the one it superseded."""

    older: Declaration
    company: list[tuple[str, str, str]]  # (field, before, after)
    answers: list[AnswerChange]
    smelters_added: list[SmelterEntry]
    smelters_removed: list[SmelterEntry]

    @property
    def unchanged(self) -> bool:
        return not (self.company or self.answers or self.smelters_added or self.smelters_removed)


# Company fields compared, in the page's order.
COMPARED_COMPANY_FIELDS = ("name", "scope_text", "scope_description", "effective_date_text")


def _smelter_key(entry: SmelterEntry) -> tuple[str, str]:
    """A row as the same smelter across versions: by metal and declared ID, else by name."""
    metal = (entry.metal or entry.metal_text).casefold()
    if entry.smelter_id.strip():
        return metal, entry.smelter_id.strip().upper()
    return metal, " ".join((entry.smelter_name or entry.lookup_name).casefold().split())


def _answer_map(content: dict[str, Any]) -> dict[tuple[str, str], str]:
    rows = [*content.get("answers", []), *content.get("company_answers", [])]
    return {(a["question"], a.get("mineral", "")): a.get("answer", "") for a in rows}


def compare(older: Declaration, newer: Declaration) -> Comparison:
    """The changes from ``older`` to ``newer`` (same supplier and family): company fields,
    answers per question and mineral, and smelter rows added or removed."""
    old_company, new_company = older.content["company"], newer.content["company"]
    company = [
        (name, str(old_company.get(name, "")), str(new_company.get(name, "")))
        for name in COMPARED_COMPANY_FIELDS
        if old_company.get(name, "") != new_company.get(name, "")
    ]
    before, after = _answer_map(older.content), _answer_map(newer.content)
    answers = [
        AnswerChange(
            q, question_text(newer.family, q), m, before.get((q, m), ""), after.get((q, m), "")
        )
        for q, m in sorted(before.keys() | after.keys())
        if before.get((q, m), "") != after.get((q, m), "")
    ]
    old_rows = {_smelter_key(e): e for e in older.smelter_entries.order_by("row")}
    new_rows = {_smelter_key(e): e for e in newer.smelter_entries.order_by("row")}
    return Comparison(
        older,
        company,
        answers,
        [e for k, e in new_rows.items() if k not in old_rows],
        [e for k, e in old_rows.items() if k not in new_rows],
    )
