"""Self-re-queuing ticks: a task that does its work and enqueues itself to run again later.

The worker keeps a few such chains (the notifications' ``core.tasks.notifications_tick``, the
ledger's ``ledger.tasks.ledger_tick``). Each app declares its tick in its ``tasks`` module and
hands it to these helpers:

    @task()
    def ledger_tick() -> None:
        run_then_requeue(ledger_tick, run_tick, settings.ORETRACE_LEDGER_CHECKPOINT_INTERVAL)

    def ensure_scheduled() -> bool:
        return start_chain(ledger_tick)

``start_chain`` enqueues the first tick unless one already waits in the queue, so worker restarts
never multiply a chain; ``run_then_requeue`` enqueues the next tick even when the work failed. With
the immediate backend (tests, ``ORETRACE_TASKS_BACKEND=immediate``) a tick runs once and stops:
enqueueing there would run it again at once, for ever.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.tasks import Task
from django.utils import timezone


def backend() -> str:
    """The dotted path of the default tasks backend."""
    return str(settings.TASKS["default"]["BACKEND"])


def database_backend() -> bool:
    """Whether tasks are queued in the database (django-tasks-db), where a queue can be read."""
    return backend().startswith("django_tasks_db")


def tick_waiting(tick: Task[[], None]) -> bool:
    """Whether a run of ``tick`` waits in the queue (False where the queue cannot be read)."""
    if not database_backend():
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=tick.module_path, status="READY").exists()


def start_chain(tick: Task[[], None]) -> bool:
    """Enqueue the first run of ``tick`` unless one is waiting; True when one was enqueued."""
    if tick_waiting(tick):
        return False
    tick.enqueue()
    return True


def run_then_requeue(tick: Task[[], None], work: Callable[[], object], seconds: float) -> None:
    """Run ``work``, then enqueue ``tick`` to run again after ``seconds`` (even when the work
    raised; the error still propagates to the worker's log)."""
    try:
        work()
    finally:
        if not backend().endswith("ImmediateBackend"):
            later = timezone.now() + dt.timedelta(seconds=seconds)
            tick.using(run_after=later).enqueue()
