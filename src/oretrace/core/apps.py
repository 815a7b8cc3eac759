from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "oretrace.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.core.signals import setting_changed

        # Job handlers register themselves when their module (core.tasks) is imported.
        from oretrace.core import jobs, tasks
        from oretrace.core.services import notifications

        configure_bounds()
        jobs.install_runner(tasks.run_job)
        notifications.install_mailer(tasks.send_notification_task)
        setting_changed.connect(_limits_changed, dispatch_uid="oretrace-bounds")


_LIMIT_SETTINGS = {
    "ORETRACE_ZIP_MAX_INFLATED_MB",
    "ORETRACE_ZIP_MAX_ENTRIES",
    "ORETRACE_JSON_MAX_DEPTH",
}


def configure_bounds() -> None:
    """Give the pure limits module (`oretrace.core.bounds`) the limits of the settings."""
    from django.conf import settings

    from oretrace.core import bounds

    bounds.configure(
        zip_max_inflated=int(settings.ORETRACE_ZIP_MAX_INFLATED_MB) * bounds.MIB,
        zip_max_entries=int(settings.ORETRACE_ZIP_MAX_ENTRIES),
        json_max_depth=int(settings.ORETRACE_JSON_MAX_DEPTH),
    )


def _limits_changed(*, setting: str, **_kwargs: object) -> None:
    if setting in _LIMIT_SETTINGS:
        # Job handlers register themselves when their module (core.tasks) is imported.
        from oretrace.core import jobs, tasks

        configure_bounds()
        jobs.install_runner(tasks.run_job)
