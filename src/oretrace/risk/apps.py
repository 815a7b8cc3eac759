from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "oretrace.risk"
    label = "risk"
    verbose_name = _("Risk")

    def ready(self) -> None:
        # Job handlers and demo steps register themselves when their modules are imported.
        import oretrace.risk.demo

        # the register: ledger records, the daily review check, the dashboard's part
        import oretrace.risk.register.dashboard
        import oretrace.risk.register.demo
        import oretrace.risk.register.notices
        import oretrace.risk.register.records
        import oretrace.risk.tasks  # noqa: F401
        from oretrace.risk.redflags import triggers

        triggers.connect()  # red flags are recomputed when what they read changes
