"""Recomputing red flags on records made with factories: what the gather step reads, flags
opened and closed (never deleted) with their history, replays "as of" a date, and the one
debounced recompute job that a change queues after it commits."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from oretrace.core.choices import JobStatus
from oretrace.core.models import ChangeLogEntry, Job
from oretrace.declarations.tests.factories import DeclarationFactory, SmelterEntryFactory
from oretrace.registry.tests.factories import AssuranceStatusFactory, FacilityFactory
from oretrace.risk import queries
from oretrace.risk.exceptions import FlagError
from oretrace.risk.models import RedFlag
from oretrace.risk.redflags.services import (
    RECOMPUTE_JOB,
    recompute_flags,
    schedule_recompute,
    start_recompute,
)
from oretrace.risk.tests.factories import ConflictAreaFactory, EditionFactory
from oretrace.traceability import recording
from oretrace.traceability import services as custody

pytestmark = pytest.mark.django_db

FIRST_LIST = datetime.date(2025, 1, 1)
SECOND_LIST = datetime.date(2026, 1, 1)


@pytest.fixture
def lists():
    """Two CAHRA editions: Nord-Kivu is on the first, no longer on the second."""
    first = EditionFactory.create(kind="cahra", edition_date=FIRST_LIST, label="Areas 1")
    second = EditionFactory.create(
        kind="cahra", edition_date=SECOND_LIST, label="Areas 2", previous=first
    )
    ConflictAreaFactory.create(edition=first, region_code="CD-NK", key="CD-NK")
    ConflictAreaFactory.create(edition=first, region_code="CD-SK", key="CD-SK")
    ConflictAreaFactory.create(edition=second, region_code="CD-SK", key="CD-SK")
    return first, second


@pytest.fixture
def smelter_declared(org_a):
    """A's supplier declares a tin smelter in Nord-Kivu, audited and conformant."""
    smelter = FacilityFactory.create(
        organisation=org_a, kind="smelter", name="Goma Tin Works", country_id="CD",
        subdivision_id="CD-NK",
    )  # fmt: skip
    AssuranceStatusFactory.create(facility=smelter, status="Conformant")
    declaration = DeclarationFactory.create(organisation=org_a, filename="supplier-cmrt.xlsx")
    entry = SmelterEntryFactory.create(
        declaration=declaration, row=5, metal="tin", smelter_name="Goma Tin Works",
        match="matched", facility=smelter,
    )  # fmt: skip
    return smelter, declaration, entry


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo("UTC"))


def test_a_smelter_in_a_listed_area_raises_cahra_transit_with_its_evidence(
    org_a, lists, smelter_declared
):
    # given the first list, where the smelter's region is listed
    first, _second = lists
    smelter, declaration, entry = smelter_declared
    # when
    outcome = recompute_flags(org_a, on=datetime.date(2025, 6, 1))
    # then
    [flag] = outcome.raised
    assert flag.rule == "cahra-transit"
    assert (flag.evidence_kind, flag.evidence_id) == ("smelter-entry", entry.pk)
    assert flag.evidence_label == "supplier-cmrt.xlsx, Smelter List row 5: Goma Tin Works"
    assert (flag.facility, flag.supplier_id, flag.edition) == (
        smelter,
        declaration.supplier_id,
        first,
    )
    assert (flag.country_id, flag.region, flag.severity) == ("CD", "CD-NK", "high")
    assert flag.closed_at is None
    assert ChangeLogEntry.objects.filter(object_id=str(flag.pk)).exists()


def test_a_superseded_or_rejected_declaration_raises_nothing(org_a, lists, smelter_declared):
    _smelter, declaration, _entry = smelter_declared
    declaration.status = "rejected"
    declaration.save()
    assert recompute_flags(org_a, on=datetime.date(2025, 6, 1)).raised == []


def test_recomputing_twice_changes_nothing(org_a, lists, smelter_declared):
    recompute_flags(org_a, on=datetime.date(2025, 6, 1))
    again = recompute_flags(org_a, on=datetime.date(2025, 6, 1))
    assert (again.raised, again.closed, again.open) == ([], [], 1)
    assert RedFlag.objects.count() == 1


def test_a_flag_that_no_longer_holds_is_closed_with_why_and_one_that_comes_back_is_new(
    org_a, lists, smelter_declared
):
    # given a flag raised on the first list
    with mock.patch("django.utils.timezone.now", return_value=_at(datetime.date(2025, 6, 1))):
        [raised] = recompute_flags(org_a, on=datetime.date(2025, 6, 1)).raised
    # when the second list, without the region, is in force
    with mock.patch("django.utils.timezone.now", return_value=_at(datetime.date(2026, 2, 1))):
        closed = recompute_flags(org_a, reasons=["edition"], on=datetime.date(2026, 2, 1))
    # then it is closed, with the change that closed it, and kept
    assert closed.closed == [raised]
    raised.refresh_from_db()
    assert raised.closed_at == _at(datetime.date(2026, 2, 1))
    assert raised.closed_reason == "edition"
    assert RedFlag.objects.filter(pk=raised.pk).exists()
    # when the first list is asked again (say, replayed): the flag comes back as a new row
    with mock.patch("django.utils.timezone.now", return_value=_at(datetime.date(2026, 3, 1))):
        [back] = recompute_flags(org_a, on=datetime.date(2025, 6, 1)).raised
    assert back.pk != raised.pk
    assert back.previous == raised
    assert back.key == raised.key
    assert queries.flag_history(back) == [raised, back]


def test_open_flags_as_of_a_date_replays_the_past(org_a, lists, smelter_declared):
    with mock.patch("django.utils.timezone.now", return_value=_at(datetime.date(2025, 6, 1))):
        [raised] = recompute_flags(org_a, on=datetime.date(2025, 6, 1)).raised
    with mock.patch("django.utils.timezone.now", return_value=_at(datetime.date(2026, 2, 1))):
        recompute_flags(org_a, reasons=["edition"], on=datetime.date(2026, 2, 1))
    assert list(queries.open_flags_as_of(org_a, datetime.date(2025, 5, 31))) == []
    assert list(queries.open_flags_as_of(org_a, datetime.date(2025, 6, 1))) == [raised]
    assert list(queries.open_flags_as_of(org_a.pk, datetime.date(2026, 1, 31))) == [raised]
    assert list(queries.open_flags_as_of(org_a, datetime.date(2026, 2, 1))) == []


def test_an_assurance_status_change_moves_a_smelter_between_rules(org_a, smelter_declared):
    smelter, _declaration, _entry = smelter_declared
    assert recompute_flags(org_a).raised == []  # conformant, no list: nothing
    AssuranceStatusFactory.create(
        facility=smelter, status="Non-conformant", effective_on=datetime.date(2025, 3, 1)
    )
    outcome = recompute_flags(org_a, reasons=["status"])
    assert [f.rule for f in outcome.raised] == ["smelter-not-conformant"]
    assert outcome.raised[0].params["status"] == "Non-conformant"


def test_an_unknown_reason_is_refused_by_name(org_a):
    with pytest.raises(FlagError, match=r"unknown reason.*'tuesday'"):
        recompute_flags(org_a, reasons=["tuesday"])


def test_another_organisation_s_records_raise_nothing_for_it(org_a, org_b, lists, smelter_declared):
    assert recompute_flags(org_b, on=datetime.date(2025, 6, 1)).raised == []
    recompute_flags(org_a, on=datetime.date(2025, 6, 1))
    assert list(queries.open_flags_as_of(org_b, datetime.date(2025, 6, 1))) == []


# --- queueing ------------------------------------------------------------------------------------


def _recompute_jobs(org):
    return Job.objects.filter(organisation=org, kind=RECOMPUTE_JOB)


def _forget_fixture_callbacks() -> None:
    """The fixtures' writes queued a recompute for the commit that a test never reaches; a
    change in the test would add its reason to that call: drop it, as a commit would have."""
    transaction.get_connection().run_on_commit.clear()


def test_many_changes_in_one_transaction_queue_one_recompute(
    org_a, lists, smelter_declared, django_capture_on_commit_callbacks
):
    smelter, _declaration, _entry = smelter_declared
    _forget_fixture_callbacks()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        # the smelter's audit failed (its listener queues "status"), and more changes follow
        AssuranceStatusFactory.create(
            facility=smelter, status="Non-conformant", effective_on=datetime.date(2025, 3, 1)
        )
        for reason in ("declaration", "declaration", "custody"):
            schedule_recompute(org_a.pk, reason)
    [job] = _recompute_jobs(org_a)
    assert job.params == {"reasons": ["custody", "declaration", "status"]}
    assert job.status == JobStatus.SUCCEEDED  # the tests' tasks run at once
    assert job.result == {"raised": 1, "closed": 0, "open": 1}


def test_no_second_recompute_while_one_waits_to_start(org_a):
    waiting = start_recompute(org_a.pk, {"declaration"})  # no commit here: it stays queued
    assert waiting is not None
    assert start_recompute(org_a.pk, {"custody"}) is None
    waiting.refresh_from_db()
    assert waiting.params["reasons"] == ["custody", "declaration"]
    assert _recompute_jobs(org_a).count() == 1


def test_a_declaration_import_queues_a_recompute(org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        DeclarationFactory.create(organisation=org_a)
    [job] = _recompute_jobs(org_a)
    assert job.params["reasons"] == ["declaration"]


def test_an_epcis_capture_queues_one_recompute_not_one_per_event(
    org_a, member_a, django_capture_on_commit_callbacks
):
    site = FacilityFactory.create(organisation=org_a, kind="collection_point", country_id="IN")
    when = datetime.datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Kolkata"))
    events = [
        recording.collection_event(
            facility=site,
            when=when + datetime.timedelta(hours=n),
            lot=recording.lot_uri(org_a, f"L-{n}"),
            amount=Decimal(10),
            unit="kg",
            recycled=False,
        )
        for n in range(5)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        custody.capture_document(recording.document(events), organisation=org_a, actor=member_a)
    [job] = _recompute_jobs(org_a)
    assert job.params["reasons"] == ["custody"]


def test_a_new_edition_queues_the_organisations_with_records(
    org_a, org_b, smelter_declared, django_capture_on_commit_callbacks
):
    _forget_fixture_callbacks()
    with django_capture_on_commit_callbacks(execute=True):
        EditionFactory.create(kind="cahra", edition_date=timezone.localdate())
    assert _recompute_jobs(org_a).count() == 1
    assert _recompute_jobs(org_b).count() == 0  # nothing of B's is read by any rule
