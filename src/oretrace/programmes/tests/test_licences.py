"""Formalisation: a licence's status read from its history (expired from the dates, never
typed), the history itself, who may record it, who may see it, and the programme indicator
against hand-computed cases."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oretrace.core.actors import SYSTEM
from oretrace.core.choices import Role
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import ChangeLogEntry
from oretrace.core.services import grant_access
from oretrace.core.tests.downloads import csv_rows
from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.core.tests.fixtures import web_client
from oretrace.programmes.exceptions import ProgrammeError
from oretrace.programmes.licensing import Change, formalisation, status_on
from oretrace.programmes.models import LicenceDocument, LicenceEntry
from oretrace.programmes.queries import licences as licence_queries
from oretrace.programmes.services import licences, setup
from oretrace.registry.choices import FacilityKind
from oretrace.registry.tests.factories import FacilityFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
D = date(2026, 3, 1)


# --- the status on a day, by hand ---------------------------------------------------------------
def _c(status, on, expires=None, order=0, fid=1):
    return Change(fid, status, on, expires, order)


def test_nothing_recorded_reads_as_no_licence():
    assert status_on([], D) == "none"
    assert status_on([_c("granted", D + timedelta(days=1))], D) == "none"


def test_a_granted_licence_holds_until_its_expiry_day_then_reads_expired():
    history = [_c("applied", date(2025, 1, 10)), _c("granted", date(2025, 3, 1), date(2026, 2, 28))]
    assert status_on(history, date(2025, 2, 1)) == "applied"
    assert status_on(history, date(2026, 2, 28)) == "granted"  # valid on its last day
    assert status_on(history, date(2026, 3, 1)) == "expired"


def test_a_later_change_replaces_the_earlier_and_the_later_recorded_wins_a_tie():
    history = [
        _c("granted", date(2025, 3, 1), date(2026, 2, 28), order=1),
        _c("granted", date(2026, 2, 20), date(2029, 2, 19), order=2),  # renewed
    ]
    assert status_on(history, date(2026, 6, 1)) == "granted"
    tie = [_c("applied", D, order=2), _c("none", D, order=1)]
    assert status_on(tie, D) == "applied"


def test_formalisation_counts_a_hand_computed_case():
    # four facilities: one valid licence, one expired the day before, one applied, one nothing
    history = [
        _c("granted", date(2025, 1, 1), date(2027, 1, 1), fid=1),
        _c("granted", date(2024, 1, 1), D - timedelta(days=1), fid=2),
        _c("applied", date(2025, 6, 1), fid=3),
        _c("granted", date(2025, 1, 1), fid=99),  # not one of the facilities counted
    ]
    found = formalisation([1, 2, 3, 4], history, D)
    assert (found.facilities, found.licensed) == (4, 1)
    assert found.share == Decimal("25.0")
    assert found.by_status == {"none": 1, "applied": 1, "granted": 1, "expired": 1}
    # a year earlier the second licence was still valid: two of four
    assert formalisation([1, 2, 3, 4], history, date(2025, 3, 1)).share == Decimal("50.0")
    assert formalisation([], history, D).share is None


# --- recording: history, checks, permissions ----------------------------------------------------
@pytest.fixture
def owner_org(db):
    return OrganisationFactory.create(legal_name="Koderma Test Collectors")


@pytest.fixture
def depot(owner_org):
    return FacilityFactory.create(
        organisation=owner_org, kind=FacilityKind.COLLECTION_POINT, name="Tisri depot"
    )


@pytest.fixture
def covered(depot, village, member_a):
    """The depot, linked to programme A's village (A's programme covers it)."""
    grant_access(depot, to=member_a.organisation, actor=SYSTEM, owner=depot.organisation)
    setup.link_facility(village, depot, actor=member_a)
    return depot


@pytest.fixture
def owner_officer(owner_org):
    return MembershipFactory.create(organisation=owner_org, roles=[Role.COMPLIANCE_OFFICER])


def _granted(facility, actor, on, expires, number="JH/KOD/1"):
    return licences.record_licence(
        facility,
        actor=actor,
        status="granted",
        effective_on=on,
        expires_on=expires,
        authority="District Mining Office, Koderma",
        number=number,
    )


def test_each_change_is_a_row_of_the_history_with_its_change_log(covered, owner_officer, today):
    logged = ChangeLogEntry.objects.count()
    licences.record_licence(
        covered,
        actor=owner_officer,
        status="applied",
        effective_on=today - timedelta(days=400),
        authority="District Mining Office, Koderma",
    )
    _granted(covered, owner_officer, today - timedelta(days=300), today - timedelta(days=1))
    entries = list(LicenceEntry.objects.filter(facility=covered))
    assert [e.status for e in entries] == ["granted", "applied"]  # newest first, both kept
    assert ChangeLogEntry.objects.count() == logged + 2
    assert all(e.created_by == owner_officer.user for e in entries)
    # the granted licence expired yesterday: read so from the dates
    assert licence_queries.current(entries, today).status == "expired"
    assert licence_queries.current(entries, today - timedelta(days=2)).status == "granted"


def test_expired_is_never_typed_and_dates_are_checked(covered, owner_officer, today):
    def record(**kw):
        args = {"status": "granted", "effective_on": today, "authority": "DMO", "number": "1"}
        return licences.record_licence(covered, actor=owner_officer, **(args | kw))

    with pytest.raises(ProgrammeError, match="Expired is not recorded") as refused:
        record(status="expired")
    assert refused.value.field == "status"
    with pytest.raises(ProgrammeError, match="on or before the day") as refused:
        record(expires_on=today - timedelta(days=1))
    assert refused.value.field == "expires_on"
    with pytest.raises(ProgrammeError, match="day still to come"):
        record(effective_on=today + timedelta(days=1))
    with pytest.raises(ProgrammeError, match="Only a granted licence"):
        record(status="applied", expires_on=today + timedelta(days=10))
    with pytest.raises(ProgrammeError, match="number") as refused:
        record(number=" ")
    assert refused.value.field == "number"
    with pytest.raises(ProgrammeError, match="authority"):
        record(authority="")
    assert not LicenceEntry.objects.exists()


def test_only_mines_and_collection_points_hold_licences(owner_org, owner_officer, today):
    smelter = FacilityFactory.create(organisation=owner_org, kind=FacilityKind.SMELTER)
    with pytest.raises(ProgrammeError, match="mines and collection points"):
        licences.record_licence(smelter, actor=owner_officer, status="none", effective_on=today)


def test_the_owner_and_the_programme_record_others_are_refused(
    covered, owner_org, member_a, member_b, today
):
    # the programme's case worker (member_a) and the owner's supplier contributor may
    licences.record_licence(covered, actor=member_a, status="none", effective_on=today)
    contributor = MembershipFactory.create(
        organisation=owner_org, roles=[Role.SUPPLIER_CONTRIBUTOR]
    )
    licences.record_licence(covered, actor=contributor, status="none", effective_on=today)
    assert LicenceEntry.objects.filter(facility=covered).count() == 2
    # an unrelated organisation, and a viewer of the owner, are refused
    with pytest.raises(PermissionDenied, match="owner and the organisations running"):
        licences.record_licence(covered, actor=member_b, status="none", effective_on=today)
    viewer = MembershipFactory.create(organisation=owner_org, roles=[Role.VIEWER])
    with pytest.raises(PermissionDenied, match="you need the role"):
        licences.record_licence(covered, actor=viewer, status="none", effective_on=today)
    assert LicenceEntry.objects.filter(facility=covered).count() == 2


def test_a_facility_no_programme_covers_is_recorded_by_its_owner_only(
    depot, owner_officer, member_a, today
):
    grant_access(depot, to=member_a.organisation, actor=SYSTEM, owner=depot.organisation)
    with pytest.raises(PermissionDenied):
        licences.record_licence(depot, actor=member_a, status="none", effective_on=today)
    licences.record_licence(depot, actor=owner_officer, status="none", effective_on=today)


# --- the programme indicator --------------------------------------------------------------------
def test_the_programme_indicator_by_period(programme, village, member_a, owner_org, today):
    depots = [
        FacilityFactory.create(organisation=member_a.organisation, name=f"Depot {n}")
        for n in range(4)
    ]
    for depot in depots:
        setup.link_facility(village, depot, actor=member_a)
    smelter = FacilityFactory.create(organisation=member_a.organisation, kind=FacilityKind.SMELTER)
    village.facilities.add(smelter)  # not a licensed kind: never counted
    year_ago = today - timedelta(days=365)
    _granted(depots[0], member_a, year_ago, today + timedelta(days=300), "A")
    _granted(depots[1], member_a, year_ago, today - timedelta(days=30), "B")  # expired a month ago
    licences.record_licence(
        depots[2], actor=member_a, status="applied", effective_on=year_ago, authority="DMO"
    )
    setup.add_period(
        programme,
        actor=member_a,
        label="Last quarter",
        starts_on=today - timedelta(days=150),
        ends_on=today - timedelta(days=60),
    )
    setup.add_period(
        programme,
        actor=member_a,
        label="Next year",
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=400),
    )
    rows = {(r.scope, r.period): r for r in licence_queries.formalisation_rows(programme)}
    assert set(rows) == {
        ("", ""),
        ("Dhorkola", ""),
        ("", "Last quarter"),
        ("Dhorkola", "Last quarter"),
    }
    now = rows["", ""].figures
    assert (now.facilities, now.licensed, now.share) == (4, 1, Decimal("25.0"))
    assert now.by_status["expired"] == 1
    then = rows["", "Last quarter"]
    assert then.day == today - timedelta(days=60)
    assert (then.figures.licensed, then.figures.share) == (2, Decimal("50.0"))


# --- pages: who sees what ----------------------------------------------------------------------


def test_the_licence_page_records_a_change_with_its_document(covered, member_a, web_a, today):
    response = web_a.post(
        f"/programmes/sites/{covered.pk}/licence/",
        {
            "status": "granted",
            "effective_on": (today - timedelta(days=10)).isoformat(),
            "expires_on": (today + timedelta(days=700)).isoformat(),
            "authority": "District Mining Office, Koderma",
            "number": "JH/KOD/2026/17",
            "document": SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    document = LicenceDocument.objects.get(entry__facility=covered)
    assert document.original_name == "licence.pdf"
    page = web_a.get(f"/programmes/sites/{covered.pk}/licence/").content.decode()
    assert "JH/KOD/2026/17" in page
    assert f"/programmes/licences/files/{document.pk}/" in page
    download = web_a.get(f"/programmes/licences/files/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_a_bad_entry_on_the_page_is_named_not_a_500(covered, web_a, today):
    response = web_a.post(
        f"/programmes/sites/{covered.pk}/licence/",
        {"status": "granted", "effective_on": today.isoformat(), "authority": "DMO"},
    )
    assert response.status_code == 200
    assert "Give the number of the granted licence." in response.content.decode()
    response = web_a.post(
        f"/programmes/sites/{covered.pk}/licence/",
        {
            "status": "none",
            "effective_on": today.isoformat(),
            "document": SimpleUploadedFile("licence.pdf", b"not a pdf"),
        },
    )
    assert "the content is not a PDF file" in response.content.decode()
    assert not LicenceEntry.objects.exists()  # the document refused: the entry not kept


def test_the_registry_page_shows_the_licence_to_its_parties(
    covered, owner_officer, member_a, today
):
    _granted(covered, owner_officer, today - timedelta(days=10), today + timedelta(days=50))
    for member in (owner_officer, member_a):
        page = web_client(member).get(f"/facilities/{covered.pk}/").content.decode()
        assert "JH/KOD/1" in page
        assert f"/programmes/sites/{covered.pk}/licence/" in page


def test_another_organisation_sees_no_licence(covered, owner_officer, member_b, web_b, today):
    entry = _granted(covered, owner_officer, today - timedelta(days=10), today + timedelta(days=50))
    document = licences.add_licence_document(
        entry, upload=SimpleUploadedFile("l.pdf", PDF), actor=owner_officer
    )
    programme_id = covered.programme_villages.get().programme_id
    for url in (
        f"/programmes/sites/{covered.pk}/licence/",
        f"/programmes/licences/files/{document.pk}/",
        f"/programmes/{programme_id}/formalisation/",
    ):
        assert web_b.get(url).status_code == 404, url
    response = web_b.post(
        f"/programmes/sites/{covered.pk}/licence/", {"status": "none", "effective_on": "2026-01-01"}
    )
    assert response.status_code == 404
    assert LicenceEntry.objects.count() == 1


def test_a_buyer_the_facility_is_shared_with_sees_it_but_not_the_licence(
    covered, owner_officer, member_b, web_b, today
):
    entry = _granted(covered, owner_officer, today - timedelta(days=10), today + timedelta(days=50))
    document = licences.add_licence_document(
        entry, upload=SimpleUploadedFile("l.pdf", PDF), actor=owner_officer
    )
    grant_access(covered, to=member_b.organisation, actor=SYSTEM, owner=covered.organisation)
    page = web_b.get(f"/facilities/{covered.pk}/").content.decode()
    assert covered.name in page
    assert "JH/KOD/1" not in page
    assert "JH/KOD/1" not in web_b.get(f"/programmes/sites/{covered.pk}/licence/").content.decode()
    assert web_b.get(f"/programmes/licences/files/{document.pk}/").status_code == 404
    # a party sharing its entries with a grant opens them to the buyer
    grant_access(LicenceEntry, to=member_b.organisation, actor=SYSTEM, owner=covered.organisation)
    assert "JH/KOD/1" in web_b.get(f"/programmes/sites/{covered.pk}/licence/").content.decode()


def test_the_formalisation_page_and_its_download(covered, programme, member_a, web_a, today):
    _granted(covered, member_a, today - timedelta(days=10), today + timedelta(days=50))
    page = web_a.get(f"/programmes/{programme.pk}/formalisation/").content.decode()
    assert "100.0" in page
    rows = csv_rows(web_a.get(f"/programmes/{programme.pk}/formalisation/?export=csv"))
    assert rows[0][:6] == [
        "Village",
        "Period",
        "On",
        "Mines and collection points",
        "Licence granted and valid",
        "Licensed (%)",
    ]
    assert rows[1][3:6] == ["1", "1", "100.0"]
