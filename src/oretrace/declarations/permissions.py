"""Who may change declarations, suppliers and campaigns (reading them is open to members)."""

from __future__ import annotations

from oretrace.core.choices import Role
from oretrace.core.permissions import Permission

_EDITORS = (Role.COMPLIANCE_OFFICER, Role.SUPPLIER_CONTRIBUTOR, Role.AUDITOR)

can_decide_declarations = Permission(
    "accept or reject declarations", (Role.COMPLIANCE_OFFICER, Role.AUDITOR)
)
can_edit_suppliers = Permission("record and import suppliers", _EDITORS)
can_import_declarations = Permission("import declarations", _EDITORS)
can_run_campaigns = Permission("run campaigns", (Role.COMPLIANCE_OFFICER,))
