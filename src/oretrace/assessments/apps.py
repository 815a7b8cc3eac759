from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "oretrace.assessments"
    label = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        # Ledger record types, demo steps and dashboard figures register themselves on import.
        import oretrace.assessments.dashboard
        import oretrace.assessments.demo
        import oretrace.assessments.notices  # the daily overdue check
        import oretrace.assessments.records  # noqa: F401
