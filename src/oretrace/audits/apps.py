from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "oretrace.audits"
    label = "audits"
    verbose_name = _("Audits")

    def ready(self) -> None:
        # Ledger records, the daily overdue check and the dashboard's part register on import.
        import oretrace.audits.dashboard
        import oretrace.audits.demo
        import oretrace.audits.notices
        import oretrace.audits.records  # noqa: F401
