"""``kill -9`` of the worker in the middle of a four-file import, then a new worker: the job
finishes and every file is imported exactly once. Real processes on a file SQLite database;
the test reads that database with ``sqlite3`` while they run."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent / "oretrace"
LEASE_SECONDS = 2


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORETRACE_")}
    env.update(
        ORETRACE_DEBUG="true",
        ORETRACE_DATA_DIR=str(data_dir),
        ORETRACE_JOB_LEASE_SECONDS=str(LEASE_SECONDS),
        ORETRACE_FAST_PASSWORD_HASHING="true",
        DJANGO_SETTINGS_MODULE="oretrace.settings",
    )
    return env


def _wait_for(what: str, check: Callable[[], Any], timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            return db.execute(sql, params).fetchall()

    def job(self, job_id: int) -> dict[str, Any]:
        (row,) = self.rows(
            "SELECT status, progress, attempts, messages, result, task_id FROM core_job "
            "WHERE id = ?",
            job_id,
        )
        status, progress, attempts, messages, result, task_id = row
        return {
            "status": status,
            "progress": progress,
            "attempts": attempts,
            "messages": json.loads(messages),
            "result": json.loads(result),
            "task_id": task_id,
        }

    def batch_files(self, batch_id: int) -> list[dict[str, Any]]:
        (row,) = self.rows("SELECT files FROM declarations_importbatch WHERE id = ?", batch_id)
        files: list[dict[str, Any]] = json.loads(row[0])
        return files


@pytest.fixture
def four_files(templates_dir: Path) -> list[Path]:
    return sorted((templates_dir / "filled").glob("*.xlsx"))[:4]


def _copy_test_database(target: Path) -> None:
    """Migrating a new database takes half a minute; the test database is migrated already and
    holds the reference catalogues. (Copied outside a transaction: SQLite's backup waits for
    ever on a database its own connection is writing.)"""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the worker processes share a file SQLite database")
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)


def test_a_killed_worker_s_import_finishes_with_every_file_imported_once(
    reference_data, tmp_path, four_files
):
    # given a migrated database (a copy of this session's test database) and an import of
    # four files, queued
    env = _env(tmp_path)
    _copy_test_database(tmp_path / "oretrace.sqlite3")
    helper = [sys.executable, "-m", "oretrace.declarations.tests.crash_worker"]
    setup = subprocess.run(
        [*helper, "setup", *map(str, four_files)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert setup.returncode == 0, setup.stderr
    batch_id, job_id = map(int, setup.stdout.split())
    db = Database(tmp_path / "oretrace.sqlite3")
    logs = tmp_path / "worker-1.log"

    # when a worker is killed -9 once it has imported the first file
    with logs.open("w") as log:
        first = subprocess.Popen(
            [*helper, "slow-worker"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_for(  # the worker then pauses before the second file: it dies there
            "the first file to be imported and the second announced",
            lambda: (
                db.job(job_id)["progress"] >= 25
                and any(f["outcome"] == "imported" for f in db.batch_files(batch_id))
            ),
        )
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    stopped = db.job(job_id)
    assert stopped["status"] == "running"
    assert 0 < stopped["progress"] < 100
    done_before = {f["filename"] for f in db.batch_files(batch_id) if f["outcome"] == "imported"}
    assert 1 <= len(done_before) < 4

    # and a new worker (the real command) starts
    with (tmp_path / "worker-2.log").open("w") as log:
        second = subprocess.Popen(
            [str(BIN), "worker", "--interval", "0.2"], env=env, stdout=log, stderr=log
        )
    try:
        final = _wait_for(
            "the job to end",
            lambda: (job := db.job(job_id))["status"] in ("succeeded", "failed") and job,
            timeout=40,
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)

    # then the job finished on its second attempt, saying where the first one stopped
    assert final["status"] == "succeeded", (final, (tmp_path / "worker-2.log").read_text())
    assert final["attempts"] == 2
    texts = [m["text"] for m in final["messages"]]
    assert any(
        f"stopped at {stopped['progress']} %" in t and "attempt 2 of 3" in t for t in texts
    ), texts
    assert any(t.startswith(f"resuming: {len(done_before)} of 4 file") for t in texts), texts
    # and every file is imported exactly once: nothing twice, nothing left behind
    files = db.batch_files(batch_id)
    assert [f["outcome"] for f in files] == ["imported"] * 4, files
    assert final["result"] == {"imported": 4, "duplicate": 0, "refused": 0}
    declarations = db.rows("SELECT sha256, filename FROM declarations_declaration")
    assert sorted(name for _sha, name in declarations) == sorted(p.name for p in four_files)
    assert len({sha for sha, _name in declarations}) == 4
    # and the dead worker's task result is failed, not left running for ever
    tasks = dict(
        db.rows(
            "SELECT status, exception_class_path FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = 'oretrace.core.tasks.run_job'"
        )
    )
    assert tasks == {"FAILED": "oretrace.core.jobs.WorkerLost", "SUCCESSFUL": ""}, tasks
