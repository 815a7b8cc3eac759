"""Who may author standards, assign assessments, answer them and follow their plans.

Most checks also need the right side of an assessment (the assigning organisation or the
supplier); services check that with ``is_assigner`` / ``is_responder`` on top of these roles.
"""

from __future__ import annotations

from oretrace.core.choices import Role
from oretrace.core.permissions import Permission

can_author_standards = Permission(
    "write and import standards", (Role.COMPLIANCE_OFFICER, Role.AUDITOR)
)
can_assign_assessments = Permission(
    "assign and review assessments, and add training modules",
    (Role.COMPLIANCE_OFFICER, Role.AUDITOR),
)
can_respond_to_assessments = Permission(
    "answer assessments and follow their improvement plans",
    (Role.SUPPLIER_CONTRIBUTOR, Role.COMPLIANCE_OFFICER),
)
