"""The ``/api/v1/`` application: every app's router mounted on one NinjaAPI."""

from __future__ import annotations

from ninja import NinjaAPI

from oretrace import __version__
from oretrace.api import errors
from oretrace.api.auth import AUTH
from oretrace.assessments.api import router as assessments_router
from oretrace.audits.api import router as audits_router
from oretrace.core.api import router as core_router
from oretrace.declarations.api.campaigns import router as campaigns_router
from oretrace.declarations.api.declarations import router as declarations_router
from oretrace.ledger.api import router as ledger_router
from oretrace.programmes.api import router as programmes_router
from oretrace.registry.api import router as registry_router
from oretrace.risk.api import router as risk_router
from oretrace.traceability.api import router as traceability_router

api = NinjaAPI(
    title="oretrace API",
    version=__version__,
    description=(
        "The oretrace API. Authenticate with a personal API token "
        "(`Authorization: Bearer ot_…`). Lists are paginated with `limit` and `offset`; "
        "errors are RFC 9457 problem documents. Objects of other organisations answer 404."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
)
errors.install(api)
api.add_router("/", core_router)
api.add_router("/", ledger_router)
api.add_router("/", registry_router)
api.add_router("/", declarations_router)
api.add_router("/", campaigns_router)
api.add_router("/", assessments_router)
api.add_router("/", traceability_router)
api.add_router("/", risk_router)
api.add_router("/", audits_router)
api.add_router("/", programmes_router)
