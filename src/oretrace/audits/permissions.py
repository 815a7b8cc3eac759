"""Who may run audits, answer them and support the audited.

Each action also needs the right side of the audit (the audit body that owns it, the auditee,
the programme's owner); services check that on top of these roles (``services.sides``).
"""

from __future__ import annotations

from oretrace.core.choices import Role
from oretrace.core.permissions import Permission

can_conduct_audits = Permission(
    "plan audits, record findings and verify corrective actions", (Role.AUDITOR,)
)
can_answer_audits = Permission(
    "answer audit findings with corrective actions",
    (Role.SUPPLIER_CONTRIBUTOR, Role.COMPLIANCE_OFFICER),
)
can_support_audits = Permission(
    "answer support requests of audited facilities", (Role.COMPLIANCE_OFFICER, Role.AUDITOR)
)
