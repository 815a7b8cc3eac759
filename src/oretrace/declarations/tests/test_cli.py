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
