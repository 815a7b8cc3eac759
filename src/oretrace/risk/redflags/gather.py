"""Read what the red-flag rules need for one organisation, as plain rows (``risk.flags``).

Runs for an organisation, with no member at hand (a recompute job), so every read is scoped
with ``owned_by`` (its own records) or ``scope_to_organisation`` (what any of its members may
see). What a flag cites: the current declarations (not superseded, not rejected) with their
smelter rows, mine rows and location answers; the custody lots at registry facilities, and
the custody flags; the latest submitted assessment per facility and standard the organisation
assigned; the overdue corrective actions of the audits it runs or owns the programme of; and
the CAHRA list and the DOL List of Goods in force on the day.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q

from oretrace.assessments.choices import AssessmentStatus
from oretrace.assessments.models import Assessment, Criterion
from oretrace.audits.choices import ActionStatus as AuditActionStatus
from oretrace.audits.choices import AuditStatus
from oretrace.audits.models import Audit, CorrectiveAction
from oretrace.core.models import Country
from oretrace.core.tenancy import owned_by, scope_to_organisation
from oretrace.declarations.choices import DeclarationStatus, SmelterMatch
from oretrace.declarations.models import Declaration, SmelterEntry
from oretrace.declarations.rmi.maps import QUESTION_ROLES
from oretrace.registry.models import Facility
from oretrace.registry.queries import headline_statuses_for_organisation
from oretrace.risk import flags
from oretrace.risk.choices import EditionKind, EvidenceKind
from oretrace.risk.models import ConflictArea, GoodListing
from oretrace.risk.queries import edition_as_of
from oretrace.risk.services import DOL_NAMES
from oretrace.traceability.models import CustodyEdge, CustodyFlag, Lot

LOCATION_ROLES = ("covered", "cahra")
RUNNING_AUDITS = (AuditStatus.REPORT, AuditStatus.CAP, AuditStatus.VERIFICATION)
# How declarations write some countries (free text in the mine columns), besides ISO names.
COUNTRY_ALIASES = {
    "drc": "CD",
    "dr congo": "CD",
    "d.r. congo": "CD",
    "democratic republic of the congo": "CD",
    "democratic republic of congo": "CD",
    "congo (kinshasa)": "CD",
    "congo, the democratic republic of the": "CD",
}


def gather(organisation_id: int, on: date) -> flags.Inputs:
    """Everything the rules read for the organisation, with the lists in force on ``on``."""
    names = _country_names()
    inputs = flags.Inputs(country_names={code: name for code, name, _o in names})
    _declarations(organisation_id, inputs, _name_index(names))
    _custody(organisation_id, inputs)
    _assessments(organisation_id, inputs)
    _audits(organisation_id, on, inputs)
    _grievances(organisation_id, inputs)
    inputs.areas = _areas(on)
    inputs.goods = _goods(on)
    return inputs


def _country_names() -> list[tuple[str, str, str]]:
    return list(Country.objects.values_list("code", "name", "official_name"))


def _name_index(names: list[tuple[str, str, str]]) -> dict[str, str]:
    """A country's name as a declaration may write it (casefolded) → its ISO code."""
    index: dict[str, str] = {}
    for code, name, official in names:
        index[code.casefold()] = code
        index[name.casefold()] = code
        if official:
            index.setdefault(official.casefold(), code)
    known = set(index.values())
    index.update({n: c for n, c in {**DOL_NAMES, **COUNTRY_ALIASES}.items() if c in known})
    return index


def country_codes(text: str, index: dict[str, str]) -> tuple[str, ...]:
    """The countries a free-text cell names ("Rwanda; DRC"): whole text first, then each part
    between commas, semicolons, slashes and "and"; parts that name no country are left out."""
    whole = index.get(text.strip().casefold())
    if whole:
        return (whole,)
    found: list[str] = []
    for part in re.split(r"[;,/\n]|\band\b", text):
        code = index.get(part.strip().casefold())
        if code and code not in found:
            found.append(code)
    return tuple(found)


def _declarations(organisation_id: int, inputs: flags.Inputs, index: dict[str, str]) -> None:
    current = owned_by(Declaration.objects.all(), organisation_id).filter(
        superseded_by__isnull=True
    )
    declarations = list(
        current.exclude(status=DeclarationStatus.REJECTED).select_related("supplier")
    )
    entries = _entries([d.pk for d in declarations])
    ids = {e.resolved_facility_id for e in entries}
    facilities = _facilities({i for i in ids if i is not None}, organisation_id)
    statuses = headline_statuses_for_organisation(facilities, organisation_id)
    for declaration in declarations:
        label = f"{declaration.filename} ({declaration.supplier.name})"
        evidence = flags.Evidence(EvidenceKind.DECLARATION, declaration.pk, label[:300])
        _answers(declaration, evidence, inputs)
        _mines(declaration, inputs)
        mine_texts = {
            row.get("row"): str(row.get("mine_countries") or "")
            for row in declaration.content.get("smelters", [])
        }
        for entry in (e for e in entries if e.declaration_id == declaration.pk):
            codes = country_codes(mine_texts.get(entry.row, ""), index)
            inputs.smelters.append(_smelter(declaration, entry, facilities, statuses, codes))


def _entries(declaration_ids: list[int]) -> list[SmelterEntry]:
    return list(
        SmelterEntry.objects.filter(declaration_id__in=declaration_ids)
        .exclude(match=SmelterMatch.NOT_IDENTIFIED)
        .select_related("review")
        .order_by("declaration_id", "row")
    )


def _facilities(ids: set[int], organisation_id: int) -> dict[int, Facility]:
    visible = scope_to_organisation(
        Facility.objects.all(), organisation_id, public=Q(organisation__isnull=True)
    )
    return {f.pk: f for f in visible.filter(pk__in=ids)}


def _answers(declaration: Declaration, evidence: flags.Evidence, inputs: flags.Inputs) -> None:
    roles = QUESTION_ROLES.get(declaration.family, {})
    for answer in declaration.content.get("answers", []):
        role = roles.get(str(answer.get("question", "")))
        if role not in LOCATION_ROLES:
            continue
        inputs.answers.append(
            flags.DeclaredAnswer(
                evidence,
                declaration.supplier_id,
                str(answer["question"]),
                role,
                str(answer.get("mineral", "")),
                str(answer.get("answer", "")),
            )
        )


def _mines(declaration: Declaration, inputs: flags.Inputs) -> None:
    for row in declaration.content.get("mines", []):
        country = str(row.get("country") or "")
        if not country:
            continue
        number = row.get("row", "")
        name = str(row.get("mine_name") or "")
        label = f"{declaration.filename}, Mine List row {number}: {name}"
        evidence = flags.Evidence(
            EvidenceKind.MINE_ENTRY, declaration.pk, label[:300], part=f"row {number}"
        )
        inputs.mines.append(
            flags.DeclaredMine(
                evidence, declaration.supplier_id, str(row.get("metal") or ""), name, country
            )
        )


def _smelter(
    declaration: Declaration,
    entry: SmelterEntry,
    facilities: dict[int, Facility],
    statuses: dict[int, str],
    mine_countries: tuple[str, ...],
) -> flags.DeclaredSmelter:
    fid = entry.resolved_facility_id
    facility = facilities.get(fid) if fid is not None else None
    label = f"{declaration.filename}, Smelter List row {entry.row}: {entry.name}"
    return flags.DeclaredSmelter(
        flags.Evidence(EvidenceKind.SMELTER_ENTRY, entry.pk, label[:300], page=declaration.pk),
        declaration.supplier_id,
        entry.metal,
        facility.pk if facility is not None else None,
        facility.name if facility is not None else entry.name,
        facility.country_id if facility is not None else entry.country,
        (facility.subdivision_id or "") if facility is not None else "",
        statuses.get(facility.pk, "") if facility is not None else "",
        mine_countries,
    )


def _custody(organisation_id: int, inputs: flags.Inputs) -> None:
    fed = CustodyEdge.objects.filter(target_id=OuterRef("pk"))
    lots = (
        owned_by(Lot.objects.all(), organisation_id)
        .filter(facility__isnull=False)
        .annotate(fed=Exists(fed))
        .select_related("facility")
        .order_by("pk")
    )
    rows = list(lots)
    minerals = _minerals({lot.facility_id for lot in rows})
    for lot in rows:
        facility = lot.facility
        if facility is None:  # filtered out above; says so to the type checker
            continue
        inputs.lots.append(
            flags.TracedLot(
                flags.Evidence(EvidenceKind.LOT, lot.pk, lot.code[:300]),
                facility.pk,
                facility.name_latin or facility.name,
                facility.country_id,
                facility.subdivision_id or "",
                minerals.get(facility.pk, ()),
                origin=not lot.fed,
                recycled=lot.recycled,
            )
        )
    custody_flags = owned_by(CustodyFlag.objects.all(), organisation_id).select_related(
        "lot", "facility"
    )
    for flag in custody_flags.order_by("pk"):
        place = flag.facility.name_latin or flag.facility.name if flag.facility else ""
        inputs.anomalies.append(
            flags.CustodyAnomaly(
                flags.Evidence(EvidenceKind.CUSTODY_FLAG, flag.pk, flag.lot.code[:300]),
                flag.lot_id,
                flag.facility_id,
                place,
                flag.kind,
            )
        )


def _minerals(facility_ids: set[Any]) -> dict[int, tuple[str, ...]]:
    through = Facility.minerals.through.objects.filter(facility_id__in=facility_ids)
    found: dict[int, list[str]] = {}
    for fid, code in through.values_list("facility_id", "mineral__code").order_by("mineral__code"):
        found.setdefault(fid, []).append(code)
    return {fid: tuple(codes) for fid, codes in found.items()}


def _assessments(organisation_id: int, inputs: flags.Inputs) -> None:
    submitted = owned_by(Assessment.objects.all(), organisation_id).filter(
        status__in=(AssessmentStatus.SUBMITTED, AssessmentStatus.ACCEPTED),
        facility__isnull=False,
    )
    latest: dict[tuple[int, str], Assessment] = {}
    for assessment in submitted.select_related("standard", "facility").order_by(
        "submitted_at", "pk"
    ):
        latest[(assessment.facility_id or 0, assessment.standard.code)] = assessment
    for assessment in latest.values():
        _gaps(assessment, inputs)


def _gaps(assessment: Assessment, inputs: flags.Inputs) -> None:
    outcomes: dict[str, str] = (assessment.result or {}).get("criteria", {})
    open_codes = [code for code, outcome in outcomes.items() if outcome in ("not_met", "partly")]
    criteria = Criterion.objects.filter(
        section__standard=assessment.standard, code__in=open_codes
    ).values_list("code", "severity", "oecd_annex_ii")
    facility = assessment.facility
    when = f"{assessment.submitted_at:%Y-%m-%d}" if assessment.submitted_at else ""
    standard = assessment.standard
    label = f"{standard.code} {standard.version}, {facility}, {when}".strip(", ")
    evidence = flags.Evidence(EvidenceKind.ASSESSMENT, assessment.pk, label[:300])
    for code, severity, annex in criteria:
        inputs.gaps.append(
            flags.AssessmentGap(
                evidence,
                assessment.facility_id,
                code,
                outcomes[code],
                severity == "critical",
                tuple(int(n) for n in annex or ()),
            )
        )


def _audits(organisation_id: int, on: date, inputs: flags.Inputs) -> None:
    """Open corrective actions past their due date (on ``on``) of the running audits the
    organisation runs, or whose programme it owns, or that were shared with it: not those it
    undergoes (its auditors and its programme see them; it sees its own on its dashboard)."""
    audits = scope_to_organisation(
        Audit.objects.all(), organisation_id, public=Q(programme_owner_id=organisation_id)
    ).filter(status__in=RUNNING_AUDITS)
    late = (
        CorrectiveAction.objects.filter(
            finding__audit__in=audits, status=AuditActionStatus.OPEN, due_on__lt=on
        )
        .select_related("finding__criterion", "finding__audit__facility")
        .order_by("due_on", "pk")
    )
    for action in late:
        finding = action.finding
        audit = finding.audit
        label = f"Audit A-{audit.pk} of {audit.facility}, finding {finding.criterion.code}"
        inputs.overdue_actions.append(
            flags.OverdueAction(
                flags.Evidence(EvidenceKind.AUDIT_FINDING, finding.pk, label[:300], page=audit.pk),
                audit.facility_id,
                finding.criterion.code,
                finding.grade,
                action.due_on.isoformat(),
            )
        )


GRIEVANCE_LABEL = "Grievance"  # the evidence of every grievance flag: nothing of the case


def _grievances(organisation_id: int, inputs: flags.Inputs) -> None:
    """The organisation's standing links of open, triaged grievance cases, with the
    organisations each concerns (the flag is shared with them). Read: the case's category and
    severity, the link's subject and its opaque token; never the case's number or texts."""
    from oretrace.grievances.choices import CaseStatus
    from oretrace.grievances.models import CaseLink

    links = (
        owned_by(CaseLink.objects.all(), organisation_id)
        .filter(removed_on__isnull=True)
        .exclude(case__status=CaseStatus.CLOSED)
        .exclude(case__category="")
        .exclude(case__severity="")
        .select_related("case", "facility", "supplier", "lot__facility", "audit__facility")
        .order_by("pk")
    )
    for link in links:
        facility, supplier_id, lot_id, parties = _grievance_subject(link)
        if facility is None and supplier_id is None:
            continue
        inputs.grievances.append(
            flags.LinkedGrievance(
                flags.Evidence(EvidenceKind.GRIEVANCE, None, GRIEVANCE_LABEL, part=link.token),
                facility.pk if facility is not None else None,
                supplier_id,
                lot_id,
                link.case.category,
                link.case.severity,
                tuple(sorted(p for p in parties if p is not None and p != organisation_id)),
            )
        )


Subject = tuple[Facility | None, int | None, int | None, set[int | None]]


def _grievance_subject(link: Any) -> Subject:
    """(facility, supplier id, lot id, organisations concerned) of a grievance link."""

    def of(facility: Facility | None) -> set[int | None]:
        return {facility.organisation_id, facility.operator_id} if facility else set()

    if link.facility is not None:
        return link.facility, None, None, of(link.facility)
    if link.supplier is not None:
        return None, link.supplier_id, None, {link.supplier.linked_organisation_id}
    if link.lot is not None:
        facility = link.lot.facility
        return facility, None, link.lot_id, {link.lot.organisation_id} | of(facility)
    if link.audit is not None:
        facility = link.audit.facility
        return facility, None, None, {link.audit.auditee_id} | of(facility)
    return None, None, None, set()


def _areas(on: date) -> flags.AreaList | None:
    edition = edition_as_of(EditionKind.CAHRA, on)
    if edition is None:
        return None
    rows = ConflictArea.objects.filter(edition=edition).order_by("country_code", "region_code")
    areas = tuple(
        flags.Area(
            r.country_code,
            r.region_code,
            r.region_name or r.country_name or r.country_code,
            r.conflict_affected,
            r.high_risk,
        )
        for r in rows
    )
    return flags.AreaList(edition.pk, str(edition), areas)


def _goods(on: date) -> flags.GoodList | None:
    edition = edition_as_of(EditionKind.DOL_GOODS, on)
    if edition is None:
        return None
    rows = GoodListing.objects.filter(edition=edition, country__isnull=False)
    goods = tuple(
        flags.ListedGood(r.good, r.country_id or "", r.child_labour, r.forced_labour) for r in rows
    )
    return flags.GoodList(edition.pk, str(edition), goods)
