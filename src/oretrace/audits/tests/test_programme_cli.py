"""``oretrace audits programmes check / list / install``: a programme file checked with the
file, line and field of its first problem; installing a file or the shipped programmes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oretrace.audits.models import ProgrammeVersion
from oretrace.audits.programmes import shipped
from oretrace.core.tests.factories import OrganisationFactory

SHIPPED = Path(__file__).resolve().parents[1] / "programmes" / "shipped"


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audits", "programmes", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_check_describes_every_good_file():
    files = sorted(SHIPPED.glob("*.yaml"))
    out, err = _run("check", *map(str, files))
    assert err == ""
    for p in shipped():
        assert f"{p.code} {p.version}: {len(p.grades)} grades" in out
        assert p.fingerprint[:16] in out


def test_check_refuses_a_bad_file_naming_line_and_field(tmp_path):
    text = (SHIPPED / "graded-social-audit.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "graded.yaml"
    bad.write_text(text.replace("min: 71, max: 85", "min: 72, max: 85"), encoding="utf-8")
    good = SHIPPED / "rmap-style-smelter.yaml"
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=r"1 of 2 file\(s\) refused"):
        call_command("audits", "programmes", "check", str(bad), str(good), stdout=out, stderr=err)
    assert f"{bad}:44: grades[2].band.max: gap between bands" in err.getvalue()
    assert "rmap-style-smelter 2026.1" in out.getvalue()


def test_check_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"nope\.yaml: No such file"):
        _run("check", str(tmp_path / "nope.yaml"))


@pytest.mark.django_db
def test_install_the_shipped_programmes_then_a_file_of_ones_own(tmp_path):
    out, _err = _run("install")
    assert "mica-processor-workplace 2026.1" in out
    assert _run("install")[0] == "installed: nothing new\n"
    owner = OrganisationFactory.create(slug="tertius-audit")
    text = (SHIPPED / "rmap-style-smelter.yaml").read_text(encoding="utf-8")
    own = tmp_path / "own.yaml"
    own.write_text(text.replace("code: rmap-style-smelter", "code: tertius-smelter"), "utf-8")
    assert _run("install", str(own), "--organisation", "tertius-audit")[0] == (
        "tertius-smelter 2026.1: installed\n"
    )
    assert ProgrammeVersion.objects.get(code="tertius-smelter").organisation == owner
    listed = _run("list")[0]
    assert "tertius-smelter 2026.1  tertius-audit" in listed
    assert "rmap-style-smelter 2026.1  shipped" in listed
    # the same version with another rule is refused: a rule change is a new version
    own.write_text(own.read_text("utf-8").replace("plan_due: 90d", "plan_due: 60d"), "utf-8")
    with pytest.raises(CommandError, match="a rule change is a new version"):
        _run("install", str(own), "--organisation", "tertius-audit")


@pytest.mark.django_db
def test_install_of_a_file_needs_its_owner(tmp_path):
    with pytest.raises(CommandError, match="--organisation SLUG"):
        _run("install", str(SHIPPED / "rmap-style-smelter.yaml"))
