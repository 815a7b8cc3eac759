from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "oretrace.declarations"
    label = "declarations"
    verbose_name = _("Supplier declarations")

    def ready(self) -> None:
        # Job handlers and tasks, ledger record types, demo steps and dashboard figures
        # register themselves when their modules are imported.
        import oretrace.declarations.dashboard
        import oretrace.declarations.demo
        import oretrace.declarations.demo_campaigns
        import oretrace.declarations.records
        import oretrace.declarations.tasks  # noqa: F401
        from oretrace.declarations.queries.reviews import SUPPLIER_FACET
        from oretrace.registry.queries import register_review_facet

        # The registry's review queue can be narrowed to one supplier's names.
        register_review_facet(SUPPLIER_FACET)
