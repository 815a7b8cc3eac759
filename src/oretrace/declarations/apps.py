from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "oretrace.declarations"
    label = "declarations"
    verbose_name = _("Supplier declarations")

    def ready(self) -> None:
        # Job handlers, ledger record types, demo steps and dashboard figures register
        # themselves when their modules are imported.
        import oretrace.declarations.campaigns
        import oretrace.declarations.dashboard
        import oretrace.declarations.demo
        import oretrace.declarations.demo_campaigns
        import oretrace.declarations.demo_rollup
        import oretrace.declarations.imports
        import oretrace.declarations.records
        import oretrace.declarations.rematch
        import oretrace.declarations.tasks  # noqa: F401
