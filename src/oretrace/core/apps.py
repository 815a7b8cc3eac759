from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "oretrace.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Job handlers register themselves when their modules are imported.
        import oretrace.core.reference  # noqa: F401
