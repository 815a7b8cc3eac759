"""Reference imports from the real RMI files: every blank template's Smelter Look-up, the
facility-list export with statuses, re-imports that change nothing, and bad files."""

from pathlib import Path

import pytest

from oretrace.core.exceptions import PermissionDenied
from oretrace.registry.exceptions import RegistryError
from oretrace.registry.models import (
    AssuranceStatus,
    Facility,
    FacilityIdentifier,
    FacilityListing,
    FacilityName,
)
from oretrace.registry.services.reference_lists import import_id_translation, import_reference_file

pytestmark = pytest.mark.django_db


def _blank(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "rmi-templates" / "blank").glob("RMI_*.xlsx"))


def _counts() -> tuple[int, ...]:
    return (
        Facility.objects.count(),
        FacilityName.objects.count(),
        FacilityIdentifier.objects.count(),
        AssuranceStatus.objects.count(),
    )


def test_every_blank_template_imports_and_again_changes_nothing(shared_data, curator):
    files = _blank(shared_data)
    assert len(files) == 16
    # AMRT 1.2 predates the AMRT's Smelter Look-up sheet: a clear refusal, nothing written
    amrt_12 = next(p for p in files if p.name == "RMI_AMRT_1.2.xlsx")
    with pytest.raises(RegistryError, match="no 'Smelter Look-up' sheet"):
        import_reference_file(amrt_12.read_bytes(), amrt_12.name, actor=curator)
    files.remove(amrt_12)
    for path in files:
        outcome = import_reference_file(path.read_bytes(), path.name, actor=curator)
        assert not outcome.already_imported
        assert outcome.counts["facilities"] > 40, (path.name, outcome.counts)
    after_first = _counts()
    # the same files again: recognised by their SHA-256, nothing written
    for path in files:
        assert import_reference_file(path.read_bytes(), path.name, actor=curator).already_imported
    assert _counts() == after_first
    # CIDs are unique, and a CMRT 6.5 smelter is there with its standard name
    cids = FacilityIdentifier.objects.filter(scheme="rmi_cid")
    assert cids.count() == len(set(cids.values_list("value", flat=True)))
    assert Facility.objects.filter(organisation__isnull=True).count() == cids.count()


def test_a_newer_snapshot_updates_without_duplicates(shared_data, curator):
    old, new = (
        shared_data / "rmi-templates/blank/RMI_CMRT_6.4.xlsx",
        shared_data / "rmi-templates/blank/RMI_CMRT_6.5.xlsx",
    )
    import_reference_file(old.read_bytes(), old.name, actor=curator)
    before = Facility.objects.count()
    outcome = import_reference_file(new.read_bytes(), new.name, actor=curator)
    assert outcome.counts["created"] + before == Facility.objects.count()
    assert (
        outcome.counts["unchanged"] + outcome.counts["updated"] + outcome.counts["created"]
        == outcome.counts["facilities"]
    )
    # facilities 6.5 no longer lists are marked, not deleted
    delisted = FacilityListing.objects.filter(delisted_by=outcome.record)
    assert delisted.count() == outcome.counts["delisted"]
    assert Facility.objects.count() >= before


def test_an_older_snapshot_imported_later_changes_and_delists_nothing(shared_data, curator):
    new = shared_data / "rmi-templates/blank/RMI_CMRT_6.5.xlsx"
    old = shared_data / "rmi-templates/blank/english/RMI_CMRT_6.4.xlsx"
    import_reference_file(new.read_bytes(), new.name, actor=curator)
    names = dict(Facility.objects.values_list("pk", "name"))
    outcome = import_reference_file(old.read_bytes(), old.name, actor=curator)
    assert outcome.record.is_older
    assert outcome.counts["delisted"] == 0
    assert not FacilityListing.objects.filter(delisted_by__isnull=False).exists()
    assert {pk: n for pk, n in Facility.objects.values_list("pk", "name") if pk in names} == names


def test_facility_list_export_brings_rmap_statuses(shared_data, curator, member_b):
    path = shared_data / "smelter-lists/harish-sahu-ks_CMRT_Backend/Upload_file/RMI_List0.xlsx"
    outcome = import_reference_file(path.read_bytes(), path.name, actor=curator)
    assert outcome.counts["statuses_added"] > 250
    conformant = AssuranceStatus.objects.filter(scheme="rmap", status__iexact="conformant")
    assert conformant.exists()
    # reference statuses are public: another organisation sees them
    assert AssuranceStatus.objects.for_member(member_b).filter(scheme="rmap").exists()


def test_cfsi_ids_map_to_cids(shared_data, curator):
    path = shared_data / "rmi-templates/blank/RMI_CMRT_6.5.xlsx"
    import_reference_file(path.read_bytes(), path.name, actor=curator)
    table = shared_data / "smelter-lists/ldenevi_ddm/v2_to_v3_translation_data.csv"
    counts = import_id_translation(table.read_bytes(), table.name, actor=curator)
    assert counts["mapped"] > 50
    old = FacilityIdentifier.objects.get(scheme="cfsi_legacy", value="1JPN072")
    assert old.facility.identifiers.get(scheme="rmi_cid").value == "CID000019"


def test_not_a_workbook_is_refused_with_its_name(curator):
    with pytest.raises(RegistryError, match=r"photo\.xlsx"):
        import_reference_file(b"\xff\xd8\xff\xe0 JFIF not a workbook", "photo.xlsx", actor=curator)
    assert Facility.objects.count() == 0


def test_an_import_by_a_non_administrator_is_refused(shared_data, viewer_a):
    # who else may load a list, and into which registry: test_org_lists.py
    path = shared_data / "rmi-templates/blank/RMI_CMRT_6.5.xlsx"
    with pytest.raises(PermissionDenied, match="curator"):
        import_reference_file(path.read_bytes(), path.name, actor=viewer_a)


def test_every_write_of_an_import_is_in_the_change_log(shared_data, curator):
    from django.contrib.contenttypes.models import ContentType

    from oretrace.core.models import ChangeLogEntry

    path = shared_data / "rmi-templates/blank/RMI_AMRT_1.3.xlsx"
    outcome = import_reference_file(path.read_bytes(), path.name, actor=curator)

    def logged(model: type) -> int:
        ct = ContentType.objects.get_for_model(model)
        return ChangeLogEntry.objects.filter(content_type=ct, action="create").count()

    assert logged(Facility) == outcome.counts["created"] == Facility.objects.count()
    assert logged(FacilityName) == FacilityName.objects.count()
    assert logged(FacilityIdentifier) == FacilityIdentifier.objects.count()
    assert logged(FacilityListing) == FacilityListing.objects.count()
