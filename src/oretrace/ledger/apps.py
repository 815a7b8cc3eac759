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
        import oretrace.ledger.services
        import oretrace.ledger.tasks
        from oretrace.core import publication

        # core's own records (an organisation's registration) reach the log through this hook.
        publication.install(oretrace.ledger.services.append)
