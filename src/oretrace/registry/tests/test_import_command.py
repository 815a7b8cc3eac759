"""``oretrace import_reference``: the member it acts as, named by ``--user`` and
``--organisation`` (``core.management.support.add_member_arguments``)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oretrace.core.choices import Role
from oretrace.core.tests.factories import MembershipFactory
from oretrace.registry.models import ReferenceImport

pytestmark = pytest.mark.django_db

# A facility list as the RMI exports it: one smelter, enough to see who imported it.
FACILITY_LIST = (
    b"Metal,New Smelter ID,Smelter Name,Location,Status\n"
    b"Tin,CID001105,Malaysia Smelting Corporation (MSC),Malaysia,Compliant\n"
)


def test_the_import_runs_as_the_named_organisations_administrator(tmp_path, org_a, org_b):
    # given a person who administers two organisations
    admin_a = MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN])
    MembershipFactory.create(organisation=org_b, user=admin_a.user, roles=[Role.ADMIN])
    path = tmp_path / "rmi-facilities.csv"
    path.write_bytes(FACILITY_LIST)
    # when the command names the second one
    out = io.StringIO()
    call_command(
        "import_reference", str(path), "--user", admin_a.user.email.upper(),
        "--organisation", org_b.slug, stdout=out,
    )  # fmt: skip
    # then the import is that organisation's
    record = ReferenceImport.objects.get()
    assert record.organisation_id == org_b.pk
    assert "rmi-facilities.csv" in out.getvalue()


def test_a_user_who_is_no_member_of_the_organisation_is_refused(tmp_path, member_a, org_b):
    path = tmp_path / "rmi-facilities.csv"
    path.write_bytes(FACILITY_LIST)
    with pytest.raises(CommandError, match=f"is not an active member of {org_b.slug}"):
        call_command(
            "import_reference", str(path), "--user", member_a.user.email,
            "--organisation", org_b.slug,
        )  # fmt: skip
    assert not ReferenceImport.objects.exists()
