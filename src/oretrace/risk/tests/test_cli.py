"""`oretrace risk import KIND FILE`: the job runs here; the same file twice says so."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oretrace.core.choices import Role
from oretrace.core.models import Job
from oretrace.core.tests.factories import MembershipFactory
from oretrace.registry.tests.factories import FacilityFactory
from oretrace.risk.models import Edition, Score
from oretrace.risk.tests.shared_data import GOODS_2021, read

pytestmark = pytest.mark.django_db


def _run(*args):
    out = io.StringIO()
    call_command("risk", "import", *args, stdout=out)
    return out.getvalue()


def test_the_cli_imports_an_edition_through_a_job(operator, tmp_path):
    path = tmp_path / "goods_2021.xml"
    path.write_bytes(read(GOODS_2021))
    email = operator.user.email
    output = _run("dol-goods", str(path), "--user", email, "--edition-date", "2022-09-28")
    assert "goods_2021.xml: imported (467 rows, 169 goods" in output
    edition = Edition.objects.get()
    assert str(edition.edition_date) == "2022-09-28"
    assert edition.job is not None
    assert Job.objects.get(pk=edition.job.pk).status == "succeeded"
    again = _run("dol-goods", str(path), "--user", email)
    assert f"already imported as #{edition.pk}" in again
    assert "nothing changed" in again
    assert Edition.objects.count() == 1


def test_the_cli_names_what_is_wrong_with_a_file(operator, tmp_path):
    path = tmp_path / "cahra.json"
    path.write_bytes(b'{"entries": [{"iso2": "XX1"}]}')
    with pytest.raises(CommandError, match=r"cahra\.json, entries\[0\]\.iso2: 'XX1'"):
        _run("cahra", str(path), "--user", operator.user.email)
    assert not Edition.objects.exists()


def test_the_cli_refuses_a_member_who_is_not_the_operator(org_a, tmp_path):
    admin = MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN])
    path = tmp_path / "c.json"
    path.write_bytes(b"{}")
    with pytest.raises(CommandError, match="platform's operator"):
        _run("cahra", str(path), "--user", admin.user.email)


def test_the_cli_recomputes_an_organisations_scores_through_a_job(org_a):
    facility = FacilityFactory.create(organisation=org_a, country_id="CD")
    out = io.StringIO()
    args = ("risk", "scores", "--organisation", org_a.slug, "--as-of", "2026-01-31", "--quiet")
    call_command(*args, stdout=out)
    job = Job.objects.get(kind="risk.recompute_scores")
    assert (
        f"{org_a.slug}: scores as of 2026-01-31 (1 facilities, 0 suppliers, 0 lots)"
        in out.getvalue()
    )
    assert job.status == "succeeded"
    assert Score.objects.get(facility=facility).job == job


def test_the_cli_names_an_unknown_organisation():
    with pytest.raises(CommandError, match="no organisation has the slug 'nope'"):
        call_command("risk", "scores", "--organisation", "nope", "--quiet")
