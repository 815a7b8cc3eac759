"""API routes of the ledger. Thin: reads through tenancy scoping, writes through services.

Proof bundles and record histories are reachable only for records the member may see (their
model's own ``for_member``); anything else answers 404, as if it did not exist.
"""

import base64
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from oretrace.core.jobs import start_job
from oretrace.core.pagination import Pagination
from oretrace.core.requests import AuthenticatedRequest
from oretrace.ledger import merkle, queries
from oretrace.ledger import services as ledger
from oretrace.ledger.exceptions import LedgerError
from oretrace.ledger.models import Checkpoint, Leaf
from oretrace.ledger.schemas import (
    AuditStarted,
    CheckpointOut,
    ConsistencyOut,
    LeafOut,
    RecordOut,
)
from oretrace.ledger.storage import DatabaseHashStore

router = Router(tags=["ledger"])


def _checkpoint_out(cp: Checkpoint) -> dict[str, Any]:
    return {
        "origin": cp.note.split("\n", 1)[0],
        "size": cp.size,
        "root": base64.b64encode(bytes(cp.root)).decode(),
        "signed": cp.with_cosignatures(),
        "created_at": cp.created_at,
        "witnesses": [c.witness for c in cp.cosignatures.all()],
    }


@router.get("/ledger/leaves", response=list[LeafOut], summary="Leaves of your records")
@paginate(Pagination)
def list_leaves(request: AuthenticatedRequest) -> QuerySet[Leaf]:
    """Leaves committing to the acting organisation's records, newest first."""
    return queries.leaves_for(request.auth)


@router.get(
    "/ledger/records/{record_type}/{record_id}",
    response=RecordOut,
    summary="A record's leaves and its proof links",
)
def get_record(request: AuthenticatedRequest, record_type: str, record_id: str) -> dict[str, Any]:
    queries.record_for(request.auth, record_type, record_id)
    versions = list(queries.history(record_type, record_id))
    latest = queries.latest_leaf(record_type, record_id)
    return {
        "record_type": record_type,
        "record_id": record_id,
        "latest": latest,
        "versions": versions,
        "bundle_url": reverse("api:ledger_bundle", args=[record_type, record_id]),
        "public_url": queries.public_url(record_type, record_id),
    }


@router.get(
    "/ledger/records/{record_type}/{record_id}/bundle",
    url_name="ledger_bundle",
    summary="A record's proof bundle (c2sp.org/tlog-proof)",
    response={200: str, 410: str},
)
def get_bundle(request: AuthenticatedRequest, record_type: str, record_id: str) -> HttpResponse:
    """The ``.tlog-proof`` bundle of the record's latest leaf, as text; verify it offline with
    ``oretrace verify BUNDLE --key VKEY``. 410 when the record was erased."""
    queries.record_for(request.auth, record_type, record_id)
    leaf = queries.latest_leaf(record_type, record_id)
    try:
        text = queries.bundle_for(leaf)
    except LedgerError as exc:
        return HttpResponse(str(exc), status=410, content_type="text/plain; charset=utf-8")
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{queries.bundle_filename(leaf)}"'
    return response


@router.get("/ledger/checkpoint", response=CheckpointOut, summary="The latest checkpoint")
def get_checkpoint(request: AuthenticatedRequest) -> dict[str, Any]:
    """The log's latest signed checkpoint (public data: also at ``/ledger/checkpoint``)."""
    return _checkpoint_out(queries.current_checkpoint())


@router.post("/ledger/checkpoints", response={201: CheckpointOut}, summary="Sign a checkpoint now")
def post_checkpoint(request: AuthenticatedRequest) -> Status[dict[str, Any]]:
    """Sign a checkpoint of the current tree (returns the latest one if nothing was added)."""
    return Status(201, _checkpoint_out(ledger.sign_checkpoint(actor=request.auth)))


class ConsistencyQuery(Schema):
    old: int
    new: int | None = None


@router.get("/ledger/consistency", response=ConsistencyOut, summary="A consistency proof")
def get_consistency(request: AuthenticatedRequest, q: Query[ConsistencyQuery]) -> dict[str, Any]:
    """Proof that the tree of ``old`` leaves is a prefix of the tree of ``new`` (public data)."""
    new = q.new if q.new is not None else queries.current_checkpoint().size
    if not 0 < q.old <= new or not Checkpoint.objects.filter(size=new).exists():
        raise LedgerError(f"no consistency proof from size {q.old} to a checkpoint of size {new}")
    proof = merkle.consistency_proof(q.old, new, DatabaseHashStore())
    return {"old": q.old, "new": new, "proof": [base64.b64encode(h).decode() for h in proof]}


@router.post("/ledger/audits", response={202: AuditStarted}, summary="Run the tamper audit")
def post_audit(request: AuthenticatedRequest) -> Status[dict[str, int]]:
    """Start the tamper audit as a job; its result lists your organisation's problems."""
    job = start_job("ledger.audit", actor=request.auth)
    return Status(202, {"job_id": job.pk})
