from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "oretrace.programmes"
    label = "programmes"
    verbose_name = _("Community programmes")

    def ready(self) -> None:
        # Demo steps, ledger records and the daily checks register on import.
        import oretrace.programmes.demo
        import oretrace.programmes.records
        import oretrace.programmes.tasks  # noqa: F401
