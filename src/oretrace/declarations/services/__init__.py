"""Every write of the declarations app, one module per aggregate.

- ``imports``: template files in, checked declarations with matched smelters out (batches);
- ``decisions``: accept, reject or send back declarations, and the counts kept for lists;
- ``suppliers``: record, correct or import suppliers;
- ``campaigns``: ask suppliers for their declarations, remind, close, attach answers;
- ``responses``: what a supplier sends or declines through its secret link;
- ``mail``: the campaign e-mails (sent by ``tasks``);
- ``rollup``: the company's roll-up written into its own blank template (a job);
- ``export``: declarations and roll-ups written as RMI workbooks, CSV and Excel lists.

The names callers use are re-exported here (``services.decide``, ``services.start_import``).
The app's ``tasks`` import the modules themselves (``services.imports``), since a campaign
enqueues its e-mails through ``tasks``.
"""

from oretrace.declarations.services.campaigns import (
    add_suppliers,
    attach_declaration,
    close_campaign,
    create_campaign,
    send_reminders,
)
from oretrace.declarations.services.decisions import (
    MAX_BULK_DECISIONS,
    BulkDecision,
    decide,
    decide_many,
    follow_decision,
    refresh_issue_counts,
)
from oretrace.declarations.services.imports import (
    FileOutcome,
    import_declaration,
    open_batch,
    run_batch,
    start_import,
)
from oretrace.declarations.services.mail import renew_link, send_campaign_mail
from oretrace.declarations.services.responses import (
    Answer,
    check_response_limits,
    decline,
    receive,
    respond,
)
from oretrace.declarations.services.rollup import start_rollup_export
from oretrace.declarations.services.suppliers import (
    SupplierImport,
    create_supplier,
    import_suppliers,
    update_supplier,
)

__all__ = [
    "MAX_BULK_DECISIONS",
    "Answer",
    "BulkDecision",
    "FileOutcome",
    "SupplierImport",
    "add_suppliers",
    "attach_declaration",
    "check_response_limits",
    "close_campaign",
    "create_campaign",
    "create_supplier",
    "decide",
    "decide_many",
    "decline",
    "follow_decision",
    "import_declaration",
    "import_suppliers",
    "open_batch",
    "receive",
    "refresh_issue_counts",
    "renew_link",
    "respond",
    "run_batch",
    "send_campaign_mail",
    "send_reminders",
    "start_import",
    "start_rollup_export",
    "update_supplier",
]
