"""The exceptions to the architecture rules: one place, each with its reason.

A key is ``(rule, module)``. The test fails on a violation not listed here, and on a listed
exception that no longer happens (so the list only shrinks). Add an entry only with a reason a
reviewer can check; the better fix is nearly always to move the code (see
docs/development/adding-an-app.md).
"""

from __future__ import annotations

# Machinery of `core` that every service stands on: it writes its own rows, below the services.
_CORE_MACHINERY = "core machinery below the services (the services call it, it calls no service)"
_DEMO = (
    "demo steps look up the demo organisations' own rows by hand (no member acts in a demo); "
    "they write only through services"
)

ALLOWED: dict[tuple[str, str], str] = {
    # --- writes outside services -----------------------------------------------------------
    ("writes", "oretrace.core.changelog"): "the change-log writer itself (log_change)",
    ("writes", "oretrace.core.jobs"): _CORE_MACHINERY + ": a job's state, lease and progress",
    ("writes", "oretrace.core.tokens"): _CORE_MACHINERY + ": token issue, use and revocation",
    ("writes", "oretrace.core.accounts"): _CORE_MACHINERY + ": users and their second factor",
    ("writes", "oretrace.core.actors"): _CORE_MACHINERY + ": the system actor's user row",
    ("writes", "oretrace.core.reference"): "loads the reference catalogues at setup (no actor)",
    ("writes", "oretrace.traceability.custody"): (
        "custody bookkeeping called by traceability.services inside its transaction"
    ),
    # --- organisation filters outside the tenancy helper -----------------------------------
    ("organisation-filter", "oretrace.core.demo"): _DEMO,
    ("organisation-filter", "oretrace.assessments.demo"): _DEMO,
    ("organisation-filter", "oretrace.traceability.demo"): _DEMO,
    ("organisation-filter", "oretrace.assessments.management.commands.standards"): (
        "a CLI command acts for the organisation named on its command line, with no member"
    ),
    ("organisation-filter", "oretrace.core.services"): (
        "uniqueness checks inside a write: the row's own organisation, not a user's view"
    ),
    ("organisation-filter", "oretrace.assessments.services"): (
        "uniqueness checks inside a write: the row's own organisation, not a user's view"
    ),
    ("organisation-filter", "oretrace.registry.services"): (
        "uniqueness checks inside a write: the row's own organisation, not a user's view"
    ),
    ("organisation-filter", "oretrace.assessments.services.authoring"): (
        "uniqueness checks inside a write: the row's own organisation, not a user's view"
    ),
    ("organisation-filter", "oretrace.core.services.onboarding"): (
        "uniqueness checks inside a write: the row's own organisation, not a user's view"
    ),
    ("organisation-filter", "oretrace.core.api"): (
        "the acting user's own membership in another organisation (switching), not a row read"
    ),
    ("organisation-filter", "oretrace.traceability.recording"): (
        "the next free lot number among the organisation's own codes, inside the write"
    ),
    ("organisation-filter", "oretrace.traceability.records"): (
        "a ledger record reads its own organisation's rows to build its facts"
    ),
    # --- HTTP below the views -------------------------------------------------------------
    ("http-below-views", "oretrace.core.tenancy"): (
        "get_for_member answers 'not yours' exactly as 'no such row' (Http404) for views and API"
    ),
    # --- a refusal let through by hand ----------------------------------------------------
    ("refusal-by-hand", "oretrace.web.views"): "web.views.attempt itself, which every page uses",
}
