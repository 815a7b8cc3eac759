from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "oretrace.grievances"
    label = "grievances"
    verbose_name = _("Grievances")

    def ready(self) -> None:
        # Ledger records, the daily checks, demo steps and dashboard figures register on import.
        import oretrace.grievances.dashboard
        import oretrace.grievances.demo
        import oretrace.grievances.notices
        import oretrace.grievances.records
        import oretrace.grievances.services.surveys  # the SMS intake's survey hook
        import oretrace.grievances.tasks  # noqa: F401
