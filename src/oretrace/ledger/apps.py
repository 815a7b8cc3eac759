from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "oretrace.ledger"
    label = "ledger"
    verbose_name = _("Transparency log")

    def ready(self) -> None:
        # Record types, job handlers and demo steps register themselves on import.
        import oretrace.ledger.dashboard
        import oretrace.ledger.demo
        import oretrace.ledger.jobs
        import oretrace.ledger.services  # noqa: F401
