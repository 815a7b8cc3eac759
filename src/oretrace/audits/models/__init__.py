"""Models of the audits app, one module per aggregate: programme versions (``programmes``),
audits with their steps and plan reviews (``audits``), findings (``findings``), corrective
actions and support requests (``actions``)."""

from oretrace.audits.models.actions import ActionEvidence, CorrectiveAction, SupportRequest
from oretrace.audits.models.audits import Audit, AuditStep, CapReview
from oretrace.audits.models.findings import Finding, FindingEvidence
from oretrace.audits.models.programmes import ProgrammeVersion

__all__ = [
    "ActionEvidence",
    "Audit",
    "AuditStep",
    "CapReview",
    "CorrectiveAction",
    "Finding",
    "FindingEvidence",
    "ProgrammeVersion",
    "SupportRequest",
]
