"""Reads of the declarations app, always scoped to the member's organisation."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from oretrace.core.models import Membership
from oretrace.declarations.models import Declaration, SmelterEntry
from oretrace.registry.models import Facility
from oretrace.registry.queries import CONFORMANT, headline_statuses


@dataclass(frozen=True)
class DeclarationFilter:
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


def entries_of(declaration: Declaration, member: Membership) -> list[EntryView]:
    entries = list(declaration.smelter_entries.select_related("review").order_by("row"))
    ids = {e.resolved_facility_id for e in entries} - {None}
    facilities = {f.pk: f for f in Facility.objects.for_member(member).filter(pk__in=ids)}
    statuses = headline_statuses(facilities, member) if facilities else {}
    views = []
    for entry in entries:
        fid = entry.resolved_facility_id
        facility = facilities.get(fid) if fid is not None else None
        status = statuses.get(facility.pk, "") if facility is not None else ""
        views.append(EntryView(entry, facility, status))
    return views


def answers_by_mineral(declaration: Declaration) -> tuple[list[str], list[tuple[str, list[dict]]]]:
    """(minerals, [(question, [answer per mineral, in the minerals' order])]) for a grid."""
    minerals: list[str] = []
    grouped: dict[str, dict[str, dict]] = {}
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
