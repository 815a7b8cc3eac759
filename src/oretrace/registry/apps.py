from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "oretrace.registry"
    label = "registry"
    verbose_name = _("Facility registry")

    def ready(self) -> None:
        # Job handlers and demo steps register themselves when their modules are imported.
        import oretrace.registry.dashboard
        import oretrace.registry.demo
        import oretrace.registry.tasks  # noqa: F401
