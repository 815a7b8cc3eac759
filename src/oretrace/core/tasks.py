"""Core's tasks and job handlers; thin on purpose: they load ids and call a service."""

from typing import Any

from django.conf import settings
from django.tasks import task
from django.utils.translation import gettext_lazy as _

from oretrace.core.jobs import JobContext, execute, job_handler
from oretrace.core.notifications import (
    notify_operators,
    send_invitation,
    send_invitation_link,
    send_sign_up_decision,
)
from oretrace.core.permissions import can_reload_reference
from oretrace.core.reference import load_reference_data
from oretrace.core.scheduling import run_then_requeue, start_chain


@task()
def run_job(job_id: int) -> None:
    """Run job ``job_id``; its handler was registered with ``@job_handler``."""
    execute(job_id)


@task()
def send_invitation_task(user_id: int, organisation_id: int, invited_by: str) -> None:
    """Send an invitation e-mail in the worker: a slow or failing mail server never fails the
    request that added the member (the worker logs the failure)."""
    send_invitation(user_id, organisation_id, invited_by=invited_by)


@task()
def send_invitation_link_task(invitation_id: int, secret: str) -> None:
    """Mail an invitation's link in the worker (the secret lives only in the task and the mail)."""
    send_invitation_link(invitation_id, secret)


@task()
def send_sign_up_decision_task(organisation_id: int) -> None:
    """Mail the operator's decision on a sign-up to its first administrator."""
    send_sign_up_decision(organisation_id)


@task()
def notify_operators_task(organisation_id: int) -> None:
    """Mail the operators that a sign-up waits for their decision."""
    notify_operators(organisation_id)


@task()
def send_notification_task(notification_id: int) -> None:
    """Mail one notification to a person who wants each one at once (at most once)."""
    from oretrace.core.services.notifications import send_notification_email

    send_notification_email(notification_id)


# --- the notifications' schedule: digests and the daily checks ---------------------------------
def ensure_notifications_scheduled() -> bool:
    """Enqueue the first tick unless one is waiting (restarts never multiply the chain); True
    when one was enqueued. The worker calls it at start-up (``oretrace notifications
    schedule``), as it does the ledger's."""
    return start_chain(notifications_tick)


@task()
def notifications_tick() -> None:
    """Mail the due digests, run the daily checks when due, and come back after
    ``ORETRACE_NOTIFICATION_TICK_SECONDS``."""
    from oretrace.core.services.notifications import run_tick

    run_then_requeue(notifications_tick, run_tick, settings.ORETRACE_NOTIFICATION_TICK_SECONDS)


@job_handler(
    "reference.reload",
    title=_("Reload reference catalogues"),
    result_labels={
        "countries": _("countries"),
        "subdivisions": _("subdivisions"),
        "minerals": _("minerals and metals"),
    },
    permission=can_reload_reference,
    user_startable=True,
)
def reload_reference_job(ctx: JobContext) -> dict[str, Any]:
    """Job: refresh countries, subdivisions and minerals from the installed packages."""
    counts = load_reference_data(ctx.progress)
    return {"data": counts, "url": "/reference/"}
