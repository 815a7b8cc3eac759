"""Who may change the risk app's data.

Reference risk editions (the DOL lists, the CAHRA list, ISO 3166) are shared facts that every
organisation reads and that later scores and red flags cite by edition. The platform's
operator (a staff user, acting through one of their memberships, which keeps the import's
job) imports them. An organisation's administrator may **not** load an edition of its own:
an edition is cited by its kind and date, and a private copy would make the same citation
mean different rows for different organisations, so a score could not be replayed by
anyone else. An organisation that needs a list the platform lacks asks its operator.
"""

from __future__ import annotations

from oretrace.core.choices import Role
from oretrace.core.permissions import Permission

can_import_editions = Permission(
    "import reference risk editions",
    tuple(Role.values),
    also=lambda member: bool(member.user.is_staff),
    also_needs="to be the platform's operator (a staff user)",
)

# Risk scores: every member reads them; a compliance officer (or an administrator) recomputes
# the organisation's scores, as the job that stores them acts for the whole organisation.
can_recompute_scores = Permission("recompute risk scores", (Role.COMPLIANCE_OFFICER,))
# Red flags: every member reads their organisation's flags; those who act on risk (compliance
# officers, administrators) may ask for a recomputation before the next change triggers one.
can_recompute_flags = Permission("recompute the red flags", (Role.COMPLIANCE_OFFICER,))

# The risk register and its Step-3 plans are the organisation's own due diligence: every
# member reads them; its compliance officers (and administrators) write them.
can_manage_risks = Permission(
    "keep the risk register and its Step-3 plans", (Role.COMPLIANCE_OFFICER,)
)
