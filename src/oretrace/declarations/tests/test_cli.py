"""`oretrace declarations import`: files and folders, one line per file, exit status."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oretrace.declarations.models import Declaration, ImportBatch

pytestmark = pytest.mark.django_db


def test_import_a_folder_and_a_refused_file(registry_loaded, member_a, templates_dir: Path):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 of 7 file"):
        call_command(
            "declarations",
            "import",
            str(templates_dir / "filled"),
            str(templates_dir / "legacy" / "3.01_-_green.xlsx"),
            "--user",
            member_a.user.email,
            stdout=out,
            stderr=err,
        )
    assert Declaration.objects.filter(organisation=member_a.organisation).count() == 6
    assert "6 imported, 0 already imported, 1 refused" in out.getvalue()
    assert "3.01_-_green.xlsx: refused" in err.getvalue()
    batch = ImportBatch.objects.get()
    assert batch.source == "cli"
    assert len(batch.files) == 7
    # Again: every file is recognised.
    out = io.StringIO()
    call_command(
        "declarations",
        "import",
        str(templates_dir / "filled"),
        "--user",
        member_a.user.email,
        stdout=out,
    )
    assert "0 imported, 6 already imported, 0 refused" in out.getvalue()


def test_unknown_user_and_missing_path(member_a, tmp_path):
    with pytest.raises(CommandError, match="not an active member"):
        call_command("declarations", "import", str(tmp_path), "--user", "nobody@example.org")
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "declarations", "import", str(tmp_path / "nope.xlsx"), "--user", member_a.user.email
        )
    with pytest.raises(CommandError, match=r"no \.xls"):
        call_command("declarations", "import", str(tmp_path), "--user", member_a.user.email)


def test_every_shared_template_file_is_imported_or_refused_with_its_reason(
    member_a, templates_dir: Path
):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="were refused"):
        call_command(
            "declarations",
            "import",
            str(templates_dir),
            "--user",
            member_a.user.email,
            stdout=out,
            stderr=err,
        )
    batch = ImportBatch.objects.get()
    outcomes = {f["filename"]: f for f in batch.files}
    assert len(outcomes) >= 32
    refused = {n: f["message"] for n, f in outcomes.items() if f["outcome"] == "refused"}
    # the nine legacy CMRTs (1.x-5.x and an invalid one), a JPEG renamed .xls, and the
    # seventeen blank templates (nobody filled them in: not declarations of an unnamed supplier)
    refusals = [f for f in batch.files if f["outcome"] == "refused"]
    assert len(refusals) == 10 + 17
    assert sum("looks like a blank template" in f["message"] for f in refusals) == 17
    for name, message in refused.items():
        assert name in message
        assert any(
            w in message
            for w in ("not supported", "not an Excel", "not a workbook", "looks like a blank")
        )
    imported = [f for f in batch.files if f["outcome"] == "imported"]
    assert len(imported) == len(batch.files) - len(refusals) == 6
    assert {f["outcome"] for f in outcomes.values()} == {"imported", "refused"}
    assert "looks like a blank template (CMRT 6.5)" in outcomes["RMI_CMRT_6.5.xlsx"]["message"]
    assert "looks like a blank template (EMRT 2.1)" in outcomes["RMI_EMRT_2.1.xlsx"]["message"]
    assert not Declaration.objects.filter(filename__startswith="RMI_EMRT").exists()
    assert (
        not Declaration.objects.filter(company_name="").exclude(filename__contains="PKG").exists()
    )
