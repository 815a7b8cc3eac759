"""API routes of the risk app: the editions of the reference lists. Thin: reads in
``queries``, writes in ``services``. Editions are shared reference data: every member reads
every edition; only the platform's operator imports one."""

from datetime import date
from typing import Any

from django.db.models import QuerySet
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from oretrace.core.pagination import Pagination
from oretrace.core.requests import AuthenticatedRequest
from oretrace.core.uploads import read_upload
from oretrace.risk import queries, services
from oretrace.risk.models import Edition, Score
from oretrace.risk.schemas import EditionDetail, EditionFilter, EditionOut, ImportStarted
from oretrace.risk.scores import queries as score_queries
from oretrace.risk.scores.schemas import ScoreDetail, ScoreFilter, ScoreOut
from oretrace.risk.sources import MAX_BYTES, EditionDiff

router = Router()
TAGS = ["risk"]


@router.get("/risk/editions", response=list[EditionOut], tags=TAGS)
@paginate(Pagination)
def list_editions(
    request: AuthenticatedRequest, filters: Query[EditionFilter]
) -> QuerySet[Edition]:
    """Every edition of the reference lists, newest first within a list."""
    return queries.editions_for(request.auth, filters.kind)


def _field(name: str, before: str, after: str) -> dict[str, str]:
    return {"field": name, "before": before, "after": after}


def _diff(diff: EditionDiff | None) -> dict[str, Any] | None:
    if diff is None:
        return None
    return {
        "added": diff.added,
        "removed": diff.removed,
        "changed": [
            {
                "key": c.key,
                "fields": [{"field": f, "before": b, "after": a} for f, b, a in c.fields],
            }
            for c in diff.changed
        ],
    }


@router.get("/risk/editions/{edition_id}", response=EditionDetail, tags=TAGS)
def get_edition(request: AuthenticatedRequest, edition_id: int) -> dict[str, Any]:
    """One edition with its counts and what changed since the previous one of its list."""
    edition = queries.edition_for(request.auth, edition_id)
    out = EditionOut.from_orm(edition).dict()
    return {**out, "previous_id": edition.previous_id, "diff": _diff(queries.edition_diff(edition))}


@router.post("/risk/editions", response={200: ImportStarted, 202: ImportStarted}, tags=TAGS)
def import_edition(
    request: AuthenticatedRequest,
    file: File[UploadedFile],
    kind: Form[str],
    edition_date: Form[date | None] = None,
    label: Form[str] = "",
) -> Status[dict[str, Any]]:
    """Import a file as an edition of ``kind`` (``dol-goods``, ``dol-countries``, ``cahra``,
    ``iso3166``): the platform's operator only. A bad file answers 400 naming what is wrong;
    a file already imported answers 200 with its edition; otherwise 202 with the job."""
    started = services.start_edition_import(
        read_upload(file, limit=MAX_BYTES),
        file.name or "upload",
        kind=kind,
        actor=request.auth,
        edition_date=edition_date,
        label=label,
    )
    if started.existing is not None:
        return Status(200, {"already_imported": True, "edition_id": started.existing.pk})
    job = started.job
    return Status(202, {"job_id": job.pk if job else None, "status": job.status if job else ""})


# --- risk scores (issue 18 §3): read only; recomputing is a job (web, CLI) ---------------------


@router.get("/risk/scores", response=list[ScoreOut], tags=TAGS)
@paginate(Pagination)
def list_scores(request: AuthenticatedRequest, filters: Query[ScoreFilter]) -> QuerySet[Score]:
    """Each subject's latest score, highest first; with ``facility_id`` or ``supplier_id``,
    every score of that subject, newest first (its trend)."""
    if filters.facility_id is not None:
        return score_queries.scores_for(request.auth).filter(facility_id=filters.facility_id)
    if filters.supplier_id is not None:
        return score_queries.scores_for(request.auth).filter(supplier_id=filters.supplier_id)
    return score_queries.latest_scores(request.auth, filters.subject, filters.level)


@router.get("/risk/scores/{score_id}", response=ScoreDetail, tags=TAGS)
def get_score(request: AuthenticatedRequest, score_id: int) -> Score:
    """One score with its breakdown: every contribution with its source and evidence."""
    return score_queries.score_for(request.auth, score_id)


# --- red flags ---------------------------------------------------------------------------------

from oretrace.risk.models import RedFlag  # noqa: E402  (appended section)
from oretrace.risk.queries import FlagFilter  # noqa: E402
from oretrace.risk.schemas import FlagOut  # noqa: E402


@router.get("/risk/flags", response=list[FlagOut], tags=TAGS)
@paginate(Pagination)
def list_flags(request: AuthenticatedRequest, filters: Query[FlagFilter]) -> QuerySet[RedFlag]:
    """The organisation's red flags, newest first: open ones unless ``state`` says ``closed``
    (or is empty: both); by ``rule``, ``severity``, ``facility``, ``supplier`` or ``lot``."""
    return queries.flags_for(request.auth, filters)


@router.get("/risk/flags/{flag_id}", response=FlagOut, tags=TAGS)
def get_flag(request: AuthenticatedRequest, flag_id: int) -> RedFlag:
    """One red flag with its rule, evidence and edition."""
    return queries.flag_for(request.auth, flag_id)


# --- the risk register and Step-3 plans (risk.register.api) ---
from oretrace.risk.register.api import router as register_router  # noqa: E402

router.add_router("", register_router)
