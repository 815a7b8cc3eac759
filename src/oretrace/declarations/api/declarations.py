"""API routes of supplier declarations. Thin: reads through tenancy scoping, writes through
services. Objects another organisation owns answer 404."""

from typing import Any

from django.db.models import QuerySet
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from oretrace.core.pagination import Pagination
from oretrace.core.requests import AuthenticatedRequest
from oretrace.core.tenancy import get_for_member, visible
from oretrace.core.uploads import read_upload
from oretrace.declarations import services
from oretrace.declarations.models import Declaration, ImportBatch, Supplier
from oretrace.declarations.queries import (
    DeclarationFilter,
    current_issues,
    entries_of,
    search_declarations,
)
from oretrace.declarations.queries.rollup import build_rollup
from oretrace.declarations.schemas import (
    BatchOut,
    DecisionIn,
    DeclarationDetail,
    DeclarationOut,
    RollupOut,
    SupplierIn,
    SupplierOut,
)
from oretrace.declarations.services import imports

router = Router(tags=["declarations"])


@router.get("/declarations", response=list[DeclarationOut])
@paginate(Pagination)
def list_declarations(
    request: AuthenticatedRequest, filters: Query[DeclarationFilter]
) -> QuerySet[Declaration]:
    """Current declarations (add ``include_superseded=true`` for older ones too)."""
    return search_declarations(request.auth, filters)


@router.post("/declarations/imports", response={202: BatchOut})
def upload_declarations(
    request: AuthenticatedRequest,
    files: File[list[UploadedFile]],
    supplier_id: Form[int | None] = None,
) -> Status[ImportBatch]:
    """Upload one or many CMRT, EMRT, AMRT or CRT files (``files``, repeated). They are
    imported by a job; follow the batch at ``/api/v1/declarations/imports/{id}``."""
    member = request.auth
    supplier = None
    if supplier_id is not None:
        supplier = get_for_member(Supplier.objects.all(), member, pk=supplier_id)
    batch = imports.start_import(
        [(f.name or "upload", read_upload(f, limit=imports.MAX_FILE_BYTES)) for f in files],
        actor=member,
        supplier=supplier,
        source="api",
    )
    return Status(202, batch)


@router.get("/declarations/imports/{int:batch_id}", response=BatchOut)
def get_batch(request: AuthenticatedRequest, batch_id: int) -> ImportBatch:
    batch: ImportBatch = get_for_member(
        ImportBatch.objects.select_related("job"), request.auth, pk=batch_id
    )
    return batch


@router.get("/declarations/{int:declaration_id}", response=DeclarationDetail)
def get_declaration(request: AuthenticatedRequest, declaration_id: int) -> Declaration:
    member = request.auth
    declaration: Declaration = get_for_member(
        Declaration.objects.select_related("supplier"), member, pk=declaration_id
    )
    content = declaration.content
    smelters = [
        {
            "row": v.entry.row,
            "metal": v.entry.metal,
            "smelter_name": v.entry.smelter_name,
            "lookup_name": v.entry.lookup_name,
            "country": v.entry.country,
            "smelter_id": v.entry.smelter_id,
            "recycled_scrap": v.entry.recycled_scrap,
            "match": v.match,
            "score": v.entry.score,
            "facility_id": v.facility.pk if v.facility else None,
            "facility_name": v.facility.name if v.facility else None,
            "assurance_status": v.status,
            "review_id": v.entry.review_id,
        }
        for v in entries_of(declaration, member)
    ]
    # The detail schema reads these from the declaration alongside its own fields.
    declaration.answers = content["answers"]  # type: ignore[attr-defined]
    declaration.company_answers = content["company_answers"]  # type: ignore[attr-defined]
    declaration.products = content["products"]  # type: ignore[attr-defined]
    declaration.mines = content["mines"]  # type: ignore[attr-defined]
    declaration.smelters = smelters  # type: ignore[attr-defined]
    # The registry's flags as things stand, not as they were at the import (never saved).
    declaration.issues = current_issues(declaration, member)
    return declaration


@router.post("/declarations/{int:declaration_id}/decision", response=DeclarationOut)
def decide(request: AuthenticatedRequest, declaration_id: int, payload: DecisionIn) -> Declaration:
    """Accept, reject or send back a declaration (compliance officers and auditors).
    Accepting puts its fingerprint in the transparency log."""
    member = request.auth
    declaration = get_for_member(Declaration.objects.all(), member, pk=declaration_id)
    return services.decide(declaration, status=payload.status, note=payload.note, actor=member)


@router.get("/suppliers", response=list[SupplierOut])
@paginate(Pagination)
def list_suppliers(request: AuthenticatedRequest, q: str = "") -> QuerySet[Supplier]:
    found = visible(Supplier.objects.all(), request.auth)
    return found.filter(name__icontains=q) if q else found


@router.post("/suppliers", response={201: SupplierOut})
def create_supplier(request: AuthenticatedRequest, payload: SupplierIn) -> Status[Supplier]:
    return Status(201, services.create_supplier(actor=request.auth, **payload.dict()))


@router.get("/suppliers/{int:supplier_id}", response=SupplierOut)
def get_supplier(request: AuthenticatedRequest, supplier_id: int) -> Supplier:
    supplier: Supplier = get_for_member(Supplier.objects.all(), request.auth, pk=supplier_id)
    return supplier


@router.patch("/suppliers/{int:supplier_id}", response=SupplierOut)
def update_supplier(
    request: AuthenticatedRequest, supplier_id: int, payload: SupplierIn
) -> Supplier:
    member = request.auth
    supplier = get_for_member(Supplier.objects.all(), member, pk=supplier_id)
    return services.update_supplier(supplier, actor=member, **payload.dict(exclude_unset=True))


@router.get("/declarations/rollup", response=RollupOut)
def rollup(request: AuthenticatedRequest, family: str, year: int) -> dict[str, Any]:
    """Your own declaration for a template family and reporting year, rolled up from your
    suppliers' accepted, current declarations (rules: the user guide, "Roll-up")."""
    result = build_rollup(request.auth, family, year)
    return {
        "family": result.family,
        "year": result.year,
        "declaration_ids": [d.pk for d in result.declarations],
        "suppliers_total": result.suppliers_total,
        "suppliers_accepted": result.suppliers_accepted,
        "suppliers_responded": result.responded,
        "response_source": result.response_source,
        "response_rate": round(result.response_rate, 4),
        "minerals": result.minerals,
        "conformant_share": result.conformant_share(),
        "answers": [
            {"question": q, "mineral": m, "answer": a} for (q, m), a in result.answers.items()
        ],
        "smelters": [
            {
                "facility_id": s.facility.pk,
                "name": s.facility.name,
                "metal": s.metal,
                "smelter_id": s.cid,
                "country": s.facility.country_id,
                "assurance_status": s.status,
                "conformant": s.conformant,
                "suppliers": s.suppliers,
            }
            for s in result.smelters
        ],
        "unidentified_rows": len(result.unresolved),
    }
