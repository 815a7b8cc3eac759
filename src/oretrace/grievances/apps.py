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

        # The SMS services queue their tasks through these (the tasks import the services).
        from oretrace.grievances import tasks
        from oretrace.grievances.services import outbound

        outbound.install(send=tasks.send_sms_task.enqueue, file_inbox=tasks.ensure_inbox_filing)
