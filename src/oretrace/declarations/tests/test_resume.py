"""A batch whose run stopped halfway (its worker died) resumes with the files not yet done:
each file's outcome is saved in the transaction that imports it."""

from __future__ import annotations

import pytest

from oretrace.declarations.models import Declaration, ImportBatch
from oretrace.declarations.services import imports

pytestmark = pytest.mark.django_db


class Crash(BaseException):
    """Stands for the worker dying: nothing after it runs."""


@pytest.fixture
def batch(member_a, filled, django_capture_on_commit_callbacks) -> ImportBatch:
    files = [filled(part) for part in ("Merck", "JX Advanced", "_SK")]
    with django_capture_on_commit_callbacks(execute=False):  # queued, not run
        return imports.start_import(files, actor=member_a)


def test_a_resumed_batch_imports_only_the_files_not_yet_done(batch, member_a):
    # given a run that stopped as it came to the second file
    def dies_at_the_second_file(percent: float, message: str) -> None:
        if "(2/3)" in message:
            raise Crash

    with pytest.raises(Crash):
        imports.run_batch(batch, actor=member_a, progress=dies_at_the_second_file)
    batch.refresh_from_db()
    assert [f["outcome"] for f in batch.files] == ["imported", "pending", "pending"]
    # when the batch runs again
    said: list[tuple[float, str]] = []
    counts = imports.run_batch(batch, actor=member_a, progress=lambda p, m: said.append((p, m)))
    # then the two files left are imported, the first neither again nor as a re-import
    batch.refresh_from_db()
    assert [f["outcome"] for f in batch.files] == ["imported"] * 3
    assert counts == {"imported": 3, "duplicate": 0, "refused": 0}
    assert Declaration.objects.count() == 3
    assert said[0] == (pytest.approx(100 / 3), "resuming: 1 of 3 file(s) were done before; 2 to go")
    assert said[1][1].endswith("(1/2)")


def test_a_file_counts_as_done_only_with_its_import(batch, member_a, monkeypatch):
    # given a batch whose note of the first file's outcome fails
    def broken(self, *args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(ImportBatch, "save", broken)
    # when it runs
    with pytest.raises(RuntimeError):
        imports.run_batch(batch, actor=member_a)
    # then the file's import was undone with it: a resumed run imports it once
    assert not Declaration.objects.exists()
    monkeypatch.undo()
    batch.refresh_from_db()
    assert imports.run_batch(batch, actor=member_a)["imported"] == 3
    assert Declaration.objects.count() == 3


def test_a_run_that_lost_its_job_commits_no_more_files(batch, member_a):
    from oretrace.core.jobs import JobLost

    # given a run whose job goes to another attempt while it imports the second file
    held: list[int] = []

    def hold() -> None:
        held.append(1)
        if len(held) == 2:
            raise JobLost

    # when it comes to commit that file
    with pytest.raises(JobLost):
        imports.run_batch(batch, actor=member_a, hold=hold)
    # then the file is left to the attempt that holds the job
    batch.refresh_from_db()
    assert [f["outcome"] for f in batch.files] == ["imported", "pending", "pending"]
    assert Declaration.objects.count() == 1
