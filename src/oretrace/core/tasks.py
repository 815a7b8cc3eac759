"""The single task that runs every job; thin on purpose."""

from django.tasks import task

from oretrace.core.jobs import execute


@task()
def run_job(job_id: int) -> None:
    """Run job ``job_id``; its handler was registered with ``@job_handler``."""
    execute(job_id)
