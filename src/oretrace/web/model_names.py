"""The names of oretrace's models, as pages show them (the change log, recent changes).

Models keep Django's default English ``verbose_name`` (changing it would mean a migration per
app); the names are listed here so that the catalogues hold them, and `model_name` shows one in
the reader's language. A model missing from this list is shown by its English name.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

MODEL_NAMES = frozenset(
    {
        gettext_noop("EPCIS capture"),
        gettext_noop("EPCIS event"),
        gettext_noop("answer"),
        gettext_noop("api token"),
        gettext_noop("assessment"),
        gettext_noop("assurance status"),
        gettext_noop("audit run"),
        gettext_noop("campaign"),
        gettext_noop("campaign request"),
        gettext_noop("change log entry"),
        gettext_noop("checkpoint"),
        gettext_noop("cosignature"),
        gettext_noop("conflict area"),
        gettext_noop("country"),
        gettext_noop("country code"),
        gettext_noop("country profile"),
        gettext_noop("criterion"),
        gettext_noop("custody edge"),
        gettext_noop("custody flag"),
        gettext_noop("declaration"),
        gettext_noop("edition"),
        gettext_noop("epcis identifier"),
        gettext_noop("erasure"),
        gettext_noop("evidence"),
        gettext_noop("facility"),
        gettext_noop("facility identifier"),
        gettext_noop("facility listing"),
        gettext_noop("facility name"),
        gettext_noop("good listing"),
        gettext_noop("grant"),
        gettext_noop("invitation"),
        gettext_noop("notification"),
        gettext_noop("periodic run"),
        gettext_noop("import batch"),
        gettext_noop("improvement action"),
        gettext_noop("job"),
        gettext_noop("leaf"),
        gettext_noop("lot"),
        gettext_noop("lot movement"),
        gettext_noop("match review"),
        gettext_noop("membership"),
        gettext_noop("mineral"),
        gettext_noop("organisation"),
        gettext_noop("progress update"),
        gettext_noop("pseudonym"),
        gettext_noop("question"),
        gettext_noop("red flag"),
        gettext_noop("reference import"),
        gettext_noop("sign up request"),
        gettext_noop("review comment"),
        gettext_noop("section"),
        gettext_noop("smelter entry"),
        gettext_noop("standard"),
        gettext_noop("standard draft"),
        gettext_noop("subdivision"),
        gettext_noop("supplier"),
        gettext_noop("support request"),
        gettext_noop("training module"),
        gettext_noop("user"),
        # the risk app's scores, register and Step-3 plans
        gettext_noop("escalation"),
        gettext_noop("indicator"),
        gettext_noop("measure"),
        gettext_noop("methodology"),
        gettext_noop("plan decision"),
        gettext_noop("risk entry"),
        gettext_noop("risk plan"),
        gettext_noop("risk status change"),
        gettext_noop("score"),
        # community programmes
        gettext_noop("case read"),
        gettext_noop("child case"),
        gettext_noop("follow up"),
        gettext_noop("monitoring visit"),
        gettext_noop("programme"),
        gettext_noop("reporting period"),
        gettext_noop("service"),
        gettext_noop("target"),
        gettext_noop("village"),
        gettext_noop("visit value"),
        # the audits app
        gettext_noop("action evidence"),
        gettext_noop("audit"),
        gettext_noop("audit step"),
        gettext_noop("cap review"),
        gettext_noop("corrective action"),
        gettext_noop("finding"),
        gettext_noop("finding evidence"),
        gettext_noop("programme version"),
        # worker voice (grievances)
        gettext_noop("case"),
        gettext_noop("case event"),
        gettext_noop("channel"),
        gettext_noop("channel day"),
        gettext_noop("content read"),
        gettext_noop("message"),
        gettext_noop("note"),
        gettext_noop("sms message"),
        # programmes seen from the product
        gettext_noop("support offer"),
        gettext_noop("donor report"),
        # formalisation, training and working offline (programmes)
        gettext_noop("licence entry"),
        gettext_noop("licence document"),
        gettext_noop("training session"),
        gettext_noop("training count"),
        gettext_noop("training staff"),
        gettext_noop("training material"),
        gettext_noop("join request"),
        gettext_noop("sync receipt"),
        # worker voice: links to the chain, SMS sent and waiting, pulse surveys
        gettext_noop("case link"),
        gettext_noop("case audit action"),
        gettext_noop("outbound sms"),
        gettext_noop("sms inbox"),
        gettext_noop("survey"),
        gettext_noop("survey answer"),
        gettext_noop("survey opt in"),
    }
)


def model_name(name: str) -> str:
    """A model's verbose name in the reader's language (as it is when not listed)."""
    return gettext(name) if name in MODEL_NAMES else name
