"""Self-re-queuing ticks: the next run is enqueued after the work, even when the work failed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.tasks import TaskResult, default_task_backend, task
from django.tasks.backends.dummy import DummyBackend

from oretrace.core.scheduling import run_then_requeue, start_chain, tick_waiting

DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@task()
def sample_tick() -> None:
    """A tick for these tests; its work is passed to ``run_then_requeue`` directly."""


def _queued() -> list[TaskResult[Any, Any]]:
    backend = cast(DummyBackend, default_task_backend)
    return [r for r in backend.results if r.task.func is sample_tick.func]


@pytest.fixture
def dummy_queue(settings: Any) -> Iterator[None]:
    settings.TASKS = DUMMY
    cast(DummyBackend, default_task_backend).clear()
    yield
    cast(DummyBackend, default_task_backend).clear()


def test_the_next_tick_is_enqueued_after_the_work(dummy_queue):
    done = []
    run_then_requeue(sample_tick, lambda: done.append(1), 60)
    assert done == [1]
    [queued] = _queued()
    assert queued.task.run_after is not None


def test_a_failing_tick_still_enqueues_the_next_and_raises(dummy_queue):
    def fail() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_then_requeue(sample_tick, fail, 60)
    assert len(_queued()) == 1


def test_the_immediate_backend_runs_a_tick_once():
    # the tests' backend runs at once: re-enqueueing would loop for ever
    done = []
    run_then_requeue(sample_tick, lambda: done.append(1), 60)
    assert done == [1]


def test_a_queue_that_cannot_be_read_has_no_waiting_tick(dummy_queue):
    assert tick_waiting(sample_tick) is False
    assert start_chain(sample_tick) is True
    assert len(_queued()) == 1
