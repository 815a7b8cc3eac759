from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "oretrace.programmes"
    label = "programmes"
    verbose_name = _("Community programmes")

    def ready(self) -> None:
        # Demo steps and ledger records register on import.
        import oretrace.programmes.demo
        import oretrace.programmes.records  # noqa: F401
