"""Tasks the worker runs; thin on purpose: they load ids and call a service."""

from django.tasks import task

from oretrace.core.jobs import execute
from oretrace.core.notifications import send_invitation


@task()
def run_job(job_id: int) -> None:
    """Run job ``job_id``; its handler was registered with ``@job_handler``."""
    execute(job_id)


@task()
def send_invitation_task(user_id: int, organisation_id: int, invited_by: str) -> None:
    """Send an invitation e-mail in the worker: a slow or failing mail server never fails the
    request that added the member (the worker logs the failure)."""
    send_invitation(user_id, organisation_id, invited_by=invited_by)
