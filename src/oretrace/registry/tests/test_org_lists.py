"""Reference lists loaded by an organisation's administrator: they feed that organisation's own
registry only, never another's, and fold into the shared registry once a curator loads it."""

from pathlib import Path

import pytest

from oretrace.core.choices import Role
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.tests.factories import MembershipFactory
from oretrace.registry import services
from oretrace.registry.models import AssuranceStatus, Facility, FacilityListing, ReferenceImport
from oretrace.registry.queries import reference_imports_for, registry_is_empty
from oretrace.registry.services.reference_lists import import_reference_file, start_reference_import

pytestmark = pytest.mark.django_db

CMRT = "rmi-templates/blank/RMI_CMRT_6.5.xlsx"
OLDER = "rmi-templates/blank/RMI_CMRT_6.4.xlsx"
WITH_STATUSES = "smelter-lists/harish-sahu-ks_CMRT_Backend/Upload_file/RMI_List0.xlsx"


def _load(shared_data: Path, relative: str, actor):
    path = shared_data / relative
    return import_reference_file(path.read_bytes(), path.name, actor=actor)


def test_an_administrators_list_feeds_only_the_own_registry(shared_data, member_a, member_b):
    # given two organisations with empty registries
    assert registry_is_empty(member_a)
    assert registry_is_empty(member_b)
    # when A's administrator loads the CMRT's smelter list
    outcome = _load(shared_data, CMRT, member_a)
    # then A's registry holds its own copies, and B sees nothing of them
    assert not outcome.record.shared
    assert outcome.counts["created"] > 100
    assert Facility.objects.filter(organisation__isnull=True).count() == 0
    own = Facility.objects.filter(organisation=member_a.organisation)
    assert own.count() == outcome.counts["created"]
    assert not registry_is_empty(member_a)
    assert registry_is_empty(member_b)
    assert not Facility.objects.for_member(member_b).exists()
    assert list(reference_imports_for(member_b)) == []
    # and the smelter ID finds A's copy for A only
    first = own.first()
    assert first is not None
    cid = first.identifiers.get(scheme="rmi_cid").value
    assert services.find_by_identifier("rmi_cid", cid, organisation_id=member_a.organisation_id)
    assert (
        services.find_by_identifier("rmi_cid", cid, organisation_id=member_b.organisation_id)
        is None
    )


def test_two_organisations_load_the_same_list_independently(shared_data, member_a, member_b):
    first = _load(shared_data, CMRT, member_a)
    second = _load(shared_data, CMRT, member_b)
    # B's import is not "already imported" because of A's: each has its own copy
    assert not second.already_imported
    assert second.counts["created"] == first.counts["created"]
    assert _load(shared_data, CMRT, member_a).already_imported
    assert ReferenceImport.objects.filter(shared=False).count() == 2


def test_an_organisations_statuses_stay_its_own(shared_data, member_a, member_b):
    outcome = _load(shared_data, WITH_STATUSES, member_a)
    assert outcome.counts["statuses_added"] > 250
    mine = AssuranceStatus.objects.filter(organisation=member_a.organisation)
    assert mine.count() == outcome.counts["statuses_added"]
    assert not AssuranceStatus.objects.filter(organisation__isnull=True).exists()
    assert not AssuranceStatus.objects.for_member(member_b).exists()


def test_an_organisations_newer_snapshot_never_delists_shared_facilities(
    shared_data, curator, member_b
):
    _load(shared_data, CMRT, curator)
    shared_listings = FacilityListing.objects.filter(delisted_by__isnull=True).count()
    _load(shared_data, OLDER, member_b)
    _load(shared_data, CMRT, member_b)
    assert (
        FacilityListing.objects.filter(
            facility__organisation__isnull=True, delisted_by__isnull=True
        ).count()
        == shared_listings
    )


def test_what_the_shared_registry_holds_is_not_copied(shared_data, curator, member_b):
    shared = _load(shared_data, CMRT, curator)
    assert shared.record.shared
    outcome = _load(shared_data, CMRT, member_b)
    assert outcome.counts["created"] == 0
    assert outcome.counts["shared"] == shared.counts["created"]
    assert not Facility.objects.filter(organisation=member_b.organisation).exists()


def test_a_shared_list_loaded_later_folds_the_organisations_copies(shared_data, curator, member_b):
    _load(shared_data, CMRT, member_b)
    copies = Facility.objects.filter(organisation=member_b.organisation)
    count = copies.count()
    outcome = _load(shared_data, CMRT, curator)
    assert outcome.counts["folded"] == count
    # B matches against one facility per smelter ID again: the shared one
    assert not copies.filter(merged_into__isnull=True).exists()
    copy = copies.first()
    assert copy is not None
    cid = copy.identifiers.get(scheme="rmi_cid").value
    found = services.find_by_identifier("rmi_cid", cid, organisation_id=member_b.organisation_id)
    assert found is not None
    assert found.is_reference
    assert services.resolve(copy).is_reference


def test_who_may_load_a_list(shared_data, org_a):
    officer = MembershipFactory.create(organisation=org_a, roles=[Role.COMPLIANCE_OFFICER])
    path = shared_data / CMRT
    with pytest.raises(PermissionDenied, match="the role administrator"):
        import_reference_file(path.read_bytes(), path.name, actor=officer)
    with pytest.raises(PermissionDenied, match="the role administrator"):
        start_reference_import(path.read_bytes(), path.name, actor=officer)
    assert not Facility.objects.exists()


def test_an_administrators_upload_runs_as_a_job_with_progress(
    shared_data, member_a, django_capture_on_commit_callbacks
):
    path = shared_data / CMRT
    with django_capture_on_commit_callbacks(execute=True):
        job = start_reference_import(path.read_bytes(), path.name, actor=member_a)
    job.refresh_from_db()
    assert job.status == "succeeded", job.messages
    assert job.progress == 100
    assert job.result_url == "/facilities/?reference=0"
    assert Facility.objects.filter(organisation=member_a.organisation).exists()
