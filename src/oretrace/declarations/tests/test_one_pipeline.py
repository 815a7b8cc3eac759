"""One import pipeline for the web, the command line and watched folders: the same batch, the
same job row with its progress and result, the same limits.

The files are generated here (a minimal CMRT 6.4 whose company block names a supplier), so the
tests run without ../shared/data.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from oretrace.core.exceptions import PermissionDenied
from oretrace.core.management.support import clear_bar, progress_bar
from oretrace.core.models import Job
from oretrace.declarations.models import Declaration, ImportBatch
from oretrace.declarations.services import imports
from oretrace.declarations.tests.test_bad_files import cmrt
from oretrace.declarations.watch import DONE, PROCESSING, REFUSED, FolderWatcher

pytestmark = pytest.mark.django_db


def _template(company: str) -> bytes:
    return cmrt(D8=company)


def _job_shape(job: Job) -> dict[str, object]:
    """What a user sees of an import job, whatever started it."""
    return {
        "kind": job.kind,
        "title": job.title,
        "status": job.status,
        "progress": job.progress,
        "result": job.result,
        "result_url_prefix": job.result_url.rsplit("/", 2)[0],
        "levels": [m["level"] for m in job.messages],
        "created_by": job.created_by_id,
        "organisation": job.organisation_id,
        "attempts": job.attempts,
    }


def test_the_command_line_creates_the_same_job_as_the_web_upload(
    member_a, web_a: Client, tmp_path: Path, django_capture_on_commit_callbacks
):
    # given two files imported through the web ...
    files = {"one.xlsx": _template("Web Alloys Ltd"), "two.xlsx": _template("Web Metals Ltd")}
    with django_capture_on_commit_callbacks(execute=True):
        response = web_a.post(
            "/declarations/",
            {"files": [_upload(n, d) for n, d in files.items()]},
        )
    assert response.status_code == 302
    web_batch = ImportBatch.objects.get(source="web")
    # ... and two other files through the command line
    for name, company in (("one.xlsx", "Cli Alloys Ltd"), ("two.xlsx", "Cli Metals Ltd")):
        (tmp_path / name).write_bytes(_template(company))
    out = io.StringIO()
    call_command("declarations", "import", str(tmp_path), "--user", member_a.user.email, stdout=out)
    cli_batch = ImportBatch.objects.get(source="cli")
    # then each has a job, and the two jobs are alike in all but their ids
    assert web_batch.job is not None
    assert cli_batch.job is not None
    web_job, cli_job = web_batch.job, cli_batch.job
    web_job.refresh_from_db()
    cli_job.refresh_from_db()
    assert _job_shape(cli_job) == _job_shape(web_job)
    assert cli_job.kind == "declarations.import"
    assert cli_job.title == "Import 2 declaration files"
    assert (cli_job.status, cli_job.progress) == ("succeeded", 100)
    assert cli_job.result == {"imported": 2, "duplicate": 0, "refused": 0}
    assert cli_job.result_url == f"/declarations/imports/{cli_batch.pk}/"
    # the progress it reported on the way, file by file, as the worker does
    texts = [m["text"] for m in cli_job.messages]
    assert texts == [
        "one.xlsx (1/2)",
        "two.xlsx (2/2)",
        "2 imported, 0 already imported, 0 refused",
    ]
    assert [m["text"] for m in web_job.messages] == texts
    assert cli_job.started_at is not None
    assert cli_job.finished_at is not None
    assert f"job #{cli_job.pk}: succeeded" in out.getvalue()
    assert Declaration.objects.filter(batch=cli_batch).count() == 2
    # and the jobs page lists it like any other
    page = web_a.get(f"/jobs/{cli_job.pk}/")
    assert page.status_code == 200
    assert "two.xlsx (2/2)" in page.content.decode()


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_command_line_draws_the_jobs_progress_bar(member_a, tmp_path, monkeypatch):
    # given a terminal
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    (tmp_path / "a.xlsx").write_bytes(_template("Bar Alloys Ltd"))
    (tmp_path / "b.xlsx").write_bytes(_template("Bar Metals Ltd"))
    # when
    call_command(
        "declarations", "import", str(tmp_path), "--user", member_a.user.email, stdout=io.StringIO()
    )
    # then the bar went from the first file to 100 % with the job's own messages
    drawn = terminal.getvalue()
    assert "[..........]" not in drawn  # a 20-wide bar, never a 10-wide one
    assert "  0% a.xlsx (1/2)" in drawn
    assert " 50% b.xlsx (2/2)" in drawn
    assert "[####################] 100% 2 imported" in drawn


def test_the_command_line_keeps_the_upload_limits(member_a, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "MAX_FILES", 2)
    monkeypatch.setattr("oretrace.declarations.management.commands.declarations.MAX_FILES", 2)
    for n in range(3):
        (tmp_path / f"{n}.xlsx").write_bytes(_template(f"Limit Co {n}"))
    with pytest.raises(CommandError, match="3 files at once; the limit is 2"):
        call_command("declarations", "import", str(tmp_path), "--user", member_a.user.email)
    assert not ImportBatch.objects.exists()
    assert not Job.objects.exists()


def test_a_refused_file_on_the_command_line_is_in_the_job_too(member_a, web_a, tmp_path):
    (tmp_path / "good.xlsx").write_bytes(_template("Good Co"))
    (tmp_path / "bad.xlsx").write_bytes(b"not a workbook at all")
    with pytest.raises(CommandError, match="1 of 2 file"):
        call_command(
            "declarations", "import", str(tmp_path), "--user", member_a.user.email,
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
    job = ImportBatch.objects.get().job
    assert job is not None
    assert job.status == "succeeded"
    assert job.result == {"imported": 1, "duplicate": 0, "refused": 1}
    assert any(m["level"] == "warning" and "bad.xlsx" in m["text"] for m in job.messages)
    # the job's pages say that it finished with a warning, not a plain "Succeeded"
    for page in (f"/jobs/{job.pk}/", "/jobs/"):
        text = web_a.get(page).content.decode()
        assert "Finished with 1 warning<" in text, page
        assert ">Succeeded<" not in text, page


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_not_drawn_when_quiet_or_not_a_terminal(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    progress_bar(50, "x.xlsx", quiet=False)  # a StringIO is no terminal
    progress_bar(50, "x.xlsx", quiet=True)
    assert out.getvalue() == ""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    progress_bar(50, "x.xlsx", quiet=True)
    assert terminal.getvalue() == ""
    progress_bar(50, "x.xlsx", quiet=False)
    assert terminal.getvalue() == "\r\033[K[##########..........]  50% x.xlsx"
    clear_bar(quiet=False)
    assert terminal.getvalue().endswith("x.xlsx\r\033[K")


# --- watched folders ----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _watcher(root: Path, member, clock: Clock) -> FolderWatcher:
    return FolderWatcher(root, actor=member, settle_seconds=2, clock=clock)


def test_a_watched_folder_imports_settled_files_and_files_them_away(member_a, tmp_path):
    clock = Clock()
    watcher = _watcher(tmp_path, member_a, clock)
    (tmp_path / "good.xlsx").write_bytes(_template("Folder Alloys Ltd"))
    (tmp_path / "notes.txt").write_text("not a template")
    (tmp_path / "~$good.xlsx").write_bytes(b"Excel's lock file")
    # First look: the files are new, so not yet taken.
    first = watcher.scan()
    assert first.batch is None
    assert sorted(first.waiting) == ["good.xlsx", "notes.txt"]
    # Their size stood still for the settle time: imported through the one pipeline.
    clock.now += 3
    scan = watcher.scan()
    assert scan.batch is not None
    assert scan.batch.source == "watch"
    job = scan.job
    assert job is not None
    assert job.kind == "declarations.import"
    assert job.status == "succeeded"
    assert job.result == {"imported": 1, "duplicate": 0, "refused": 1}
    assert sorted(p.name for p in (tmp_path / DONE).iterdir()) == ["good.xlsx"]
    refused = sorted(p.name for p in (tmp_path / REFUSED).iterdir())
    assert refused == ["notes.txt", "notes.txt.reason.txt"]
    reason = (tmp_path / REFUSED / "notes.txt.reason.txt").read_text()
    assert "notes.txt" in reason
    assert "not an Excel workbook" in reason
    assert f"batch #{scan.batch.pk}" in reason
    assert not list((tmp_path / PROCESSING).iterdir())
    # Excel's lock file is never taken.
    assert (tmp_path / "~$good.xlsx").exists()
    assert Declaration.objects.get().company_name == "Folder Alloys Ltd"


def test_a_file_still_being_written_is_left_alone(member_a, tmp_path):
    clock = Clock()
    watcher = _watcher(tmp_path, member_a, clock)
    growing = tmp_path / "big.xlsx"
    data = _template("Growing Co")
    growing.write_bytes(data[:100])
    watcher.scan()
    clock.now += 3
    with growing.open("ab") as f:  # the copy goes on
        f.write(data[100:200])
    assert watcher.scan().batch is None
    clock.now += 1
    growing.write_bytes(data)  # finished
    assert watcher.scan().batch is None  # changed again: the wait starts over
    clock.now += 3
    scan = watcher.scan()
    assert scan.batch is not None
    assert scan.moved[DONE] == ["big.xlsx"]
    assert Declaration.objects.count() == 1


def test_the_same_file_dropped_twice_is_imported_once(member_a, tmp_path):
    clock = Clock()
    watcher = _watcher(tmp_path, member_a, clock)
    data = _template("Twice Co")
    (tmp_path / "report.xlsx").write_bytes(data)
    watcher.scan()
    clock.now += 3
    watcher.scan()
    (tmp_path / "report.xlsx").write_bytes(data)  # same name, same bytes, again
    (tmp_path / "copy.xlsx").write_bytes(data)
    watcher.scan()
    clock.now += 3
    scan = watcher.scan()
    assert scan.job is not None
    assert scan.job.result["duplicate"] == 2
    assert Declaration.objects.count() == 1
    assert sorted(p.name for p in (tmp_path / DONE).iterdir()) == [
        "copy.xlsx",
        "report (2).xlsx",
        "report.xlsx",
    ]


def test_a_watcher_stopped_halfway_is_picked_up_by_the_next(member_a, tmp_path):
    # given a watcher that took two files and died after the first was imported
    data = _template("Crash Co")
    processing = tmp_path / PROCESSING
    processing.mkdir()
    (processing / "first.xlsx").write_bytes(data)
    (processing / "second.xlsx").write_bytes(_template("Crash Two Co"))
    imports.import_declaration(data, "first.xlsx", actor=member_a)
    # when a new watcher starts
    scan = _watcher(tmp_path, member_a, Clock()).scan()
    # then it takes what was left at once, and imports nothing twice
    assert scan.job is not None
    assert scan.job.result == {"imported": 1, "duplicate": 1, "refused": 0}
    assert sorted(p.name for p in (tmp_path / DONE).iterdir()) == ["first.xlsx", "second.xlsx"]
    assert Declaration.objects.count() == 2
    assert not list(processing.iterdir())


def test_two_watchers_of_one_folder_never_take_the_same_file(member_a, tmp_path):
    clock = Clock()
    one, two = _watcher(tmp_path, member_a, clock), _watcher(tmp_path, member_a, clock)
    (tmp_path / "shared.xlsx").write_bytes(_template("Shared Co"))
    one.scan()
    two.scan()
    clock.now += 3
    ready, _waiting = two._settled()
    first = one.scan()  # takes the file while the other one has it in its list
    assert two._take(ready) == []
    assert first.moved[DONE] == ["shared.xlsx"]


def test_the_watch_command_imports_once_and_stops(member_a, tmp_path):
    (tmp_path / "cmd.xlsx").write_bytes(_template("Command Co"))
    os.utime(tmp_path / "cmd.xlsx", (1, 1))
    out = io.StringIO()
    call_command(
        "declarations", "watch", str(tmp_path), "--user", member_a.user.email,
        "--once", "--interval", "0.01", "--settle", "0", stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert "1 to done/, 0 to refused/" in out.getvalue()
    assert (tmp_path / DONE / "cmd.xlsx").exists()
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("declarations", "watch", str(tmp_path / "nope"), "--user", member_a.user.email)


def test_a_member_who_may_not_import_cannot_watch_a_folder(viewer_a, tmp_path):
    (tmp_path / "x.xlsx").write_bytes(_template("Viewer Co"))
    with pytest.raises(PermissionDenied):
        FolderWatcher(tmp_path, actor=viewer_a, settle_seconds=0, clock=Clock())
    with pytest.raises(CommandError, match="you need"):
        call_command(
            "declarations", "watch", str(tmp_path), "--user", viewer_a.user.email, "--once"
        )
    assert (tmp_path / "x.xlsx").exists()
    assert not Declaration.objects.exists()


def test_the_command_line_reads_each_file_only_when_the_import_reaches_it(tmp_path):
    from oretrace.core.management.support import FilesOnDisk

    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    first.write_bytes(b"one")
    second.write_bytes(b"two")
    files = FilesOnDisk([first, second])
    second.write_bytes(b"changed before it was reached")
    assert len(files) == 2
    assert list(files) == [("a.xlsx", b"one"), ("b.xlsx", b"changed before it was reached")]
    assert list(files[1:]) == [("b.xlsx", b"changed before it was reached")]
