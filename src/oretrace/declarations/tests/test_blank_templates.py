"""A blank template is not a declaration: every official blank in ../shared/data looks blank,
every real declaration does not (the anonymised one with its empty company block included), and
so do small generated files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oretrace.declarations.models import Declaration, Supplier
from oretrace.declarations.rmi import parse_template
from oretrace.declarations.rmi.blank import blank_message, looks_blank
from oretrace.declarations.services import imports
from oretrace.declarations.tests.test_bad_files import cmrt

BLANKS = (
    "AMRT_1.2",
    "AMRT_1.3",
    "CMRT_6.01",
    "CMRT_6.1",
    "CMRT_6.22",
    "CMRT_6.31",
    "CMRT_6.4",
    "CMRT_6.5",
    "CRT_2.2",
    "CRT_2.21",
    "EMRT_1.1",
    "EMRT_1.11",
    "EMRT_1.2",
    "EMRT_1.3",
    "EMRT_2.0",
    "EMRT_2.1",
)


@pytest.mark.parametrize("name", BLANKS)
def test_every_official_blank_looks_blank(templates_dir: Path, name: str):
    path = templates_dir / "blank" / f"RMI_{name}.xlsx"
    parsed = parse_template(path.read_bytes(), path.name)
    assert looks_blank(parsed)
    message = blank_message(parsed)
    assert path.name in message
    assert "looks like a blank template" in message
    assert f"({parsed.family} {parsed.version})" in message


def test_the_english_blank_looks_blank(templates_dir: Path):
    path = templates_dir / "blank" / "english" / "RMI_CMRT_6.4.xlsx"
    assert looks_blank(parse_template(path.read_bytes(), path.name))


def test_no_real_declaration_looks_blank(templates_dir: Path):
    paths = sorted((templates_dir / "filled").glob("*.xlsx"))
    assert len(paths) == 6
    for path in paths:
        parsed = parse_template(path.read_bytes(), path.name)
        assert not looks_blank(parsed), path.name
    # the anonymised one names no company, but answers and lists smelters
    (pkg,) = [p for p in paths if "PKG" in p.name]
    parsed = parse_template(pkg.read_bytes(), pkg.name)
    assert parsed.company.name == ""
    assert parsed.smelters


@pytest.mark.parametrize(
    ("cells", "blank"),
    [
        ({}, True),  # nothing at all
        ({"D8": "Example Co."}, False),  # a company name is enough to be somebody's
        ({"D16": "someone@example.org"}, False),  # … and so is a contact
        ({"D26": "Yes", "D27": "Yes"}, True),  # answers with no company and no rows
    ],
)
def test_generated_templates(cells: dict[str, str], blank: bool):
    parsed = parse_template(cmrt(**cells), "generated.xlsx")
    if "D26" in cells:  # the answers were read: it is their company and rows that lack
        assert [a.answer for a in parsed.answers if a.answer] == ["Yes", "Yes"]
    assert looks_blank(parsed) is blank


# --- in the import pipeline -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_blank_emrt_is_refused_not_imported_as_an_unnamed_supplier(member_a, templates_dir):
    path = templates_dir / "blank" / "RMI_EMRT_2.1.xlsx"
    outcome = imports.import_declaration(path.read_bytes(), path.name, actor=member_a)
    assert outcome.outcome == "refused"
    assert outcome.message.startswith("RMI_EMRT_2.1.xlsx looks like a blank template (EMRT 2.1)")
    assert not Declaration.objects.exists()
    assert not Supplier.objects.exists()  # no "Unnamed supplier (RMI_EMRT_2.1)"


@pytest.mark.django_db
def test_a_generated_blank_is_refused_and_a_filled_one_imported(member_a):
    blank = imports.import_declaration(cmrt(), "empty.xlsx", actor=member_a)
    assert (blank.outcome, blank.declaration) == ("refused", None)
    assert "empty.xlsx looks like a blank template (CMRT 6.4)" in blank.message
    filled = imports.import_declaration(cmrt(D8="Filled Co"), "filled.xlsx", actor=member_a)
    assert filled.outcome == "imported"
    assert filled.declaration is not None
    assert filled.declaration.supplier.name == "Filled Co"


@pytest.mark.django_db
def test_a_batch_where_every_file_was_refused_does_not_say_succeeded(
    member_a, web_a, django_capture_on_commit_callbacks
):
    files = [("blank.xlsx", cmrt()), ("notes.txt", b"not a template")]
    with django_capture_on_commit_callbacks(execute=True):
        batch = imports.start_import(files, actor=member_a)
    batch.refresh_from_db()
    job = batch.job
    assert job is not None
    assert [f["outcome"] for f in batch.files] == ["refused", "refused"]
    # the job failed, for a reason a person can act on, with no traceback, and kept its result
    assert job.status == "failed"
    assert job.error == (
        "All 2 files were refused, so nothing was imported: the list of files says why for each."
    )
    assert "Traceback" not in job.error
    assert job.result == {"imported": 0, "duplicate": 0, "refused": 2}
    assert job.result_url == f"/declarations/imports/{batch.pk}/"
    assert [m["level"] for m in job.messages][-3:] == ["warning", "warning", "error"]
    # the batch page and the job page say so
    page = web_a.get(f"/declarations/imports/{batch.pk}/").content.decode()
    assert ">Succeeded<" not in page
    assert 'status-failed">Failed<' in page
    assert "All 2 files were refused, so nothing was imported" in page
    assert "looks like a blank template" in page
    job_page = web_a.get(f"/jobs/{job.pk}/").content.decode()
    assert 'status-failed">Failed<' in job_page
    assert ">Succeeded<" not in job_page


@pytest.mark.django_db
def test_a_batch_with_some_refused_files_finished_with_warnings(
    member_a, web_a, django_capture_on_commit_callbacks
):
    files = [("good.xlsx", cmrt(D8="Good Co")), ("blank.xlsx", cmrt())]
    with django_capture_on_commit_callbacks(execute=True):
        batch = imports.start_import(files, actor=member_a)
    batch.refresh_from_db()
    assert batch.job is not None
    assert batch.job.status == "succeeded"
    page = web_a.get(f"/declarations/imports/{batch.pk}/").content.decode()
    assert "Finished with 1 warning<" in page
    assert "1 file was refused; the list below says why." in page
    assert ">Succeeded<" not in page
    # in French too
    page = web_a.get(
        f"/declarations/imports/{batch.pk}/", headers={"accept-language": "fr"}
    ).content.decode()
    assert "Terminé avec 1 avertissement" in page


@pytest.mark.django_db
def test_the_command_line_says_when_every_file_was_refused(member_a, tmp_path):
    (tmp_path / "blank.xlsx").write_bytes(cmrt())
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command(
            "declarations", "import", str(tmp_path), "--user", member_a.user.email,
            stdout=out, stderr=err,
        )  # fmt: skip
    assert "blank.xlsx: refused — blank.xlsx looks like a blank template" in err.getvalue()
    assert ": failed)" in out.getvalue()
