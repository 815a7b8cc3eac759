"""The exceptions to the architecture rules: one place, each with its reason.

A key is ``(rule, module)``. The test fails on a violation not listed here, and on a listed
exception that no longer happens (so the list only shrinks). Add an entry only with a reason a
reviewer can check; the better fix is nearly always to move the code (see
docs/development/adding-an-app.md).
"""

from __future__ import annotations

# Machinery of `core` that every service stands on: it writes its own rows, below the services.
_CORE_MACHINERY = "core machinery below the services (the services call it, it calls no service)"
_REGISTRY_PIPELINES = (
    "registry import and review pipelines: services under another name, to move into "
    "registry/services/ with the registry's split (being edited by the match and onboard work)"
)
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
    ("writes", "oretrace.registry.imports"): _REGISTRY_PIPELINES,
    ("writes", "oretrace.registry.reviews"): _REGISTRY_PIPELINES,
    ("writes", "oretrace.traceability.custody"): (
        "custody bookkeeping called by traceability.services inside its transaction"
    ),
    # --- organisation filters outside the tenancy helper -----------------------------------
    ("organisation-filter", "oretrace.core.demo"): _DEMO,
    ("organisation-filter", "oretrace.assessments.demo"): _DEMO,
    ("organisation-filter", "oretrace.declarations.demo"): _DEMO,
    ("organisation-filter", "oretrace.declarations.demo_campaigns"): _DEMO,
    ("organisation-filter", "oretrace.registry.demo"): _DEMO,
    ("organisation-filter", "oretrace.traceability.demo"): _DEMO,
    ("organisation-filter", "oretrace.assessments.management.commands.standards"): (
        "a CLI command acts for the organisation named on its command line, with no member"
    ),
    ("organisation-filter", "oretrace.declarations.management.commands.declarations"): (
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
    ("organisation-filter", "oretrace.declarations.services.decisions"): (
        "refresh_issue_counts recounts one organisation's declarations for its re-matching job "
        "(no member acts): the organisation's own rows, not a user's view"
    ),
    ("organisation-filter", "oretrace.declarations.tasks"): (
        "a job acts as the member who started it: that user's membership in the job's organisation"
    ),
    ("organisation-filter", "oretrace.traceability.custody"): (
        "custody bookkeeping inside a capture's transaction reads the capturing organisation's "
        "own shipments (the phantom-receipt rule), not a user's view"
    ),
    ("organisation-filter", "oretrace.core.api"): (
        "the acting user's own membership in another organisation (switching), not a row read"
    ),
    ("organisation-filter", "oretrace.registry.imports"): _REGISTRY_PIPELINES,
    ("organisation-filter", "oretrace.registry.reviews"): _REGISTRY_PIPELINES,
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
    # --- tasks and job handlers outside tasks modules ---------------------------------------
    ("tasks", "oretrace.registry.imports"): _REGISTRY_PIPELINES,
    # --- size -------------------------------------------------------------------------------
    ("module-size", "oretrace.traceability.custody"): (
        "the Applier is one state machine over a capture's events (lots, movements, edges and "
        "mass-balance flags); the phantom-receipt rule took it past 600 lines: its flag rules "
        "are to move to a module of their own"
    ),
    ("module-size", "oretrace.registry.matching.engine"): (
        "3 lines over after the no-cross-metal rule: the candidate scoring is to move to a "
        "module of its own with the registry's split"
    ),
}
