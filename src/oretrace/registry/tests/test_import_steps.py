"""A reference list is written in short steps, not one long transaction (issue 16).

On SQLite the database has one writer. A whole list imported in one transaction (tens of
seconds on a busy machine) kept every other write waiting past the busy timeout: polling the
import's own job page answered 400 (the session's last-seen time could not be saved,
"database is locked"), and the job's progress stayed invisible until the end. Now each step
of facilities commits on its own; the import is marked complete by its last step, and one that
stopped halfway is taken up again.
"""

from __future__ import annotations

import threading
from itertools import count

import pytest
from django.db import connections
from django.utils import timezone

from oretrace.core.jobs import execute
from oretrace.core.models import Job
from oretrace.core.tests.fixtures import web_client
from oretrace.registry.exceptions import RegistryError
from oretrace.registry.models import Facility, ReferenceImport
from oretrace.registry.services import reference_lists
from oretrace.registry.services.reference_lists import (
    IMPORT_STEP,
    REFERENCE_IMPORT,
    import_reference_file,
    start_reference_import,
    store_upload,
)
from oretrace.web import sessions

COUNTRIES = ("Germany", "Japan", "Brazil", "Peru")


def _facility_list(n: int) -> bytes:
    """An RMI facility-list export of ``n`` smelters (the CSV shape of the CFSI-era lists)."""
    rows = ["Metal,New Smelter ID,Smelter Name,Location,Status"]
    rows += [
        f"Tin,CID{900000 + i:06d},Stepwise Smelter {i},{COUNTRIES[i % 4]},Compliant"
        for i in range(n)
    ]
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.django_db(transaction=True)
def test_the_job_page_answers_while_a_reference_list_imports(member_a, monkeypatch):
    """Polled between two steps of the import, from another connection, the job page answers
    200 and saves the session; and it sees the progress the import has reached."""
    data = _facility_list(3 * IMPORT_STEP)
    job = Job.objects.create(
        organisation=member_a.organisation,
        created_by=member_a.user,
        kind=REFERENCE_IMPORT,
        params={"path": store_upload(data, "steps.csv"), "filename": "steps.csv"},
    )
    client = web_client(member_a)
    client.get("/")  # the session's times are set
    # Every poll is a minute after the last one: each saves the session's last-seen time.
    clock = count(start=sessions.now(), step=sessions.SEEN_RESOLUTION + 1)
    monkeypatch.setattr(sessions, "now", lambda: float(next(clock)))
    polls: list[tuple[int, int]] = []

    def poll() -> None:
        try:
            answer = client.get(f"/jobs/{job.pk}/")
            polls.append((answer.status_code, Job.objects.get(pk=job.pk).progress))
        finally:
            connections.close_all()  # this thread's connection

    def between_steps(percent: int, _message: str | None) -> None:
        if 5 < percent < 100:
            thread = threading.Thread(target=poll)
            thread.start()
            thread.join(timeout=60)

    assert execute(job.pk, listener=between_steps)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert [status for status, _progress in polls] == [200, 200, 200]
    # the progress is committed with each step, so the page shows it while the import runs
    assert [progress for _status, progress in polls] == sorted(p for _s, p in polls)
    assert polls[0][1] > 5
    record = ReferenceImport.objects.get(job=job)
    assert record.complete
    assert record.counts["created"] == 3 * IMPORT_STEP


@pytest.mark.django_db
def test_an_import_stopped_halfway_is_taken_up_again(member_a, monkeypatch):
    data = _facility_list(2 * IMPORT_STEP + 3)
    real = reference_lists._import_facility
    calls = count()

    def dies_in_the_second_step(*args, **kwargs):
        if next(calls) == IMPORT_STEP + 2:
            raise RuntimeError("the worker was killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(reference_lists, "_import_facility", dies_in_the_second_step)
    with pytest.raises(RuntimeError):
        import_reference_file(data, "halfway.csv", actor=member_a)
    record = ReferenceImport.objects.get()
    assert not record.complete
    # the first step stayed; the second was rolled back whole
    assert Facility.objects.filter(name__startswith="Stepwise").count() == IMPORT_STEP
    monkeypatch.undo()
    # The same file may be uploaded again (it is not "already imported"), and finishes.
    start_reference_import(data, "halfway.csv", actor=member_a)
    outcome = import_reference_file(data, "halfway.csv", actor=member_a)
    assert not outcome.already_imported
    assert outcome.record.pk == record.pk
    record.refresh_from_db()
    assert record.complete
    assert record.counts["facilities"] == 2 * IMPORT_STEP + 3
    assert Facility.objects.filter(name__startswith="Stepwise").count() == 2 * IMPORT_STEP + 3
    assert ReferenceImport.objects.count() == 1
    # Once complete, the same file is refused as before.
    with pytest.raises(RegistryError, match="already imported"):
        start_reference_import(data, "halfway.csv", actor=member_a)
    assert import_reference_file(data, "halfway.csv", actor=member_a).already_imported


def _list(rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["Metal,New Smelter ID,Smelter Name,Location,Status"]
    lines += [f"Tin,{cid},{name},{country},{status}" for cid, name, country, status in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.django_db
def test_two_ids_of_one_merged_facility_in_one_step(curator):
    """A step is written in bulk; two smelter IDs that lead to one facility (merged by a
    curator) are still met one after the other: the facility is brought up to the first row,
    written, read again, then brought up to the second, as the services did one at a time."""
    from oretrace.core.changelog import verify_chain
    from oretrace.core.models import ChangeLogEntry
    from oretrace.registry import services
    from oretrace.registry.models import AssuranceStatus, FacilityListing

    first = _list(
        [("CID900001", "Alpha Tin", "Germany", ""), ("CID900002", "Beta Tin", "Japan", "")]
    )
    import_reference_file(first, "first.csv", actor=curator)
    alpha, beta = Facility.objects.order_by("pk")
    services.merge_facilities(alpha, beta, actor=curator)
    logged = ChangeLogEntry.objects.count()
    second = _list(
        [
            ("CID900001", "Alpha Tin", "Germany", "Conformant"),
            ("CID900002", "Beta Tin Works", "Japan", "Active"),
        ]
    )
    outcome = import_reference_file(second, "second.csv", actor=curator)
    assert outcome.counts | {"rows": 2} == {
        "rows": 2,
        "facilities": 1,
        "created": 0,
        "updated": 2,
        "unchanged": 0,
        "names_added": 0,
        "statuses_added": 2,
        "delisted": 1,  # the duplicate's own listing, left with it
        "skipped": 0,
        "shared": 0,
        "folded": 0,
    }
    entries = ChangeLogEntry.objects.order_by("id")[logged:].select_related("content_type")
    assert [(e.content_type.model, e.action, e.object_repr) for e in entries] == [
        ("assurancestatus", "create", f"RMI RMAP: Conformant since {timezone.localdate()}"),
        ("facilitylisting", "update", "Alpha Tin on facility-list:RMI"),
        ("facilityname", "create", "Beta Tin Works"),
        ("facilityname", "update", "Alpha Tin"),
        ("facility", "update", "Beta Tin Works"),
        ("assurancestatus", "create", f"RMI RMAP: Active since {timezone.localdate()}"),
        ("facilitylisting", "update", "Beta Tin Works on facility-list:RMI"),
        ("facilitylisting", "update", "Beta Tin on facility-list:RMI"),
    ]
    alpha.refresh_from_db()
    assert (alpha.name, alpha.country_id) == ("Beta Tin Works", "JP")
    assert sorted(alpha.names.values_list("name", "kind")) == [
        ("Alpha Tin", "former"),
        ("Beta Tin", "former"),
        ("Beta Tin Works", "primary"),
    ]
    assert sorted(AssuranceStatus.objects.values_list("status", flat=True)) == [
        "Active",
        "Conformant",
    ]
    assert FacilityListing.objects.get(facility=alpha).last_seen == outcome.record
    assert verify_chain()[0] == []
