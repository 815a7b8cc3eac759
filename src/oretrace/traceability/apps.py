from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceabilityConfig(AppConfig):
    name = "oretrace.traceability"
    label = "traceability"
    verbose_name = _("Traceability")

    def ready(self) -> None:
        # Ledger record types, the demo step and dashboard figures register themselves on import.
        import oretrace.traceability.dashboard
        import oretrace.traceability.demo
        import oretrace.traceability.records  # noqa: F401
