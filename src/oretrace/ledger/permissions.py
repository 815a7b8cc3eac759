"""Who may act on the transparency log (reading it and verifying are open to every member)."""

from __future__ import annotations

from oretrace.core.choices import Role
from oretrace.core.permissions import Permission

can_sign_checkpoint = Permission(
    "sign a checkpoint of the log", (Role.COMPLIANCE_OFFICER, Role.AUDITOR)
)
can_audit_ledger = Permission(
    "run the tamper audit of the log", (Role.COMPLIANCE_OFFICER, Role.AUDITOR)
)
