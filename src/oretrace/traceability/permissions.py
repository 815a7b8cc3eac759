"""Who may record custody (reading custody and tracing are open to every member)."""

from __future__ import annotations

from oretrace.core.choices import Role
from oretrace.core.permissions import Permission

can_capture_events = Permission(
    "capture EPCIS events and record custody",
    (Role.SUPPLIER_CONTRIBUTOR, Role.COMPLIANCE_OFFICER),
)
