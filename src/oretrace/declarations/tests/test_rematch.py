"""Matching that catches up: real declarations imported into an empty registry, then the
reference list; the re-matching job settles the names, the red flags follow, and the
transparency log still audits clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType

from oretrace.core.choices import JobStatus, Role
from oretrace.core.models import ChangeLogEntry, Job
from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.declarations import services
from oretrace.declarations.models import Declaration
from oretrace.declarations.queries import current_issues, entries_of
from oretrace.declarations.services import imports
from oretrace.declarations.tests.conftest import TODAY
from oretrace.ledger.audit import run_audit
from oretrace.registry.models import MatchReview
from oretrace.registry.services.reference_lists import import_reference_file
from oretrace.registry.services.reviews import REMATCH_JOB

pytestmark = pytest.mark.django_db

WAITS = "waits in the review queue"


def _curator():
    return MembershipFactory.create(
        organisation=OrganisationFactory.create(), roles=[Role.ADMIN], user__is_staff=True
    )


def _state(organisation_id: int) -> dict[str, int]:
    """What a reviewer sees: open names, and red flags (stored counts and derived ones)."""
    declarations = list(Declaration.objects.filter(organisation_id=organisation_id))
    derived = [i for d in declarations for i in current_issues(d)]
    return {
        "open_reviews": MatchReview.objects.filter(
            organisation_id=organisation_id, status="open"
        ).count(),
        "flag_count": sum(d.flag_count for d in declarations),
        "flags": sum(1 for i in derived if i["severity"] == "flag"),
        "waiting": sum(1 for i in derived if WAITS in i["message"]),
        "not_in_registry": sum(1 for i in derived if i["code"] == "smelter-not-in-registry"),
    }


def test_importing_the_reference_list_after_the_declarations_rematches_them(
    shared_data: Path, member_a, filled, django_capture_on_commit_callbacks
):
    # given: two real declarations imported while the registry is empty
    for part in ("JX Advanced", "Merck"):
        name, data = filled(part)
        outcome = imports.import_declaration(data, name, actor=member_a, today=TODAY)
        assert outcome.outcome == "imported", outcome.message
    merck = Declaration.objects.get(organisation=member_a.organisation, filename__contains="Merck")
    services.decide(merck, status="accepted", note="evidence checked", actor=member_a)
    before = _state(member_a.organisation_id)
    assert before["open_reviews"] > 10
    assert before["waiting"] == before["not_in_registry"] > 10
    assert before["flag_count"] == before["flags"]

    # when: the reference list is imported (the re-matching job runs when it commits)
    blank = shared_data / "rmi-templates" / "blank" / "RMI_CMRT_6.4.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        import_reference_file(blank.read_bytes(), blank.name, actor=_curator())

    # then: the job ran for the organisation, with its progress
    job = Job.objects.get(kind=REMATCH_JOB, organisation=member_a.organisation)
    assert (job.status, job.progress) == (JobStatus.SUCCEEDED, 100), job.error
    assert job.result["matched"] > 0
    after = _state(member_a.organisation_id)
    # the names the list settles left the queue, decided by the system, in the change log
    settled = MatchReview.objects.filter(organisation=member_a.organisation, status="matched")
    assert (
        settled.count() == job.result["matched"] == before["open_reviews"] - after["open_reviews"]
    )
    assert after["open_reviews"] < before["open_reviews"] / 2
    logged = ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(MatchReview),
        object_id__in=[str(pk) for pk in settled.values_list("pk", flat=True)],
        actor_label="re-matching",
    )
    assert logged.count() == settled.count()
    # the red flags follow: no flag says a settled row waits in the queue any more
    assert after["waiting"] == after["not_in_registry"] < before["waiting"]
    assert after["flag_count"] == after["flags"]
    for declaration in Declaration.objects.filter(organisation=member_a.organisation):
        for view in entries_of(declaration, member_a):
            review = view.entry.review
            if review is not None and review.status == "matched":
                assert view.facility is not None
                assert view.match == "matched"
    # the accepted declaration's rows were not rewritten: the log still vouches for them
    problems = run_audit(trigger="after re-matching").problems
    assert not [p for p in problems if p["record_type"] == "declarations.declaration"], problems


def test_rematching_again_changes_nothing(
    shared_data: Path, member_a, filled, django_capture_on_commit_callbacks
):
    from oretrace.registry.services.reviews import rematch_organisation

    name, data = filled("Merck")
    imports.import_declaration(data, name, actor=member_a, today=TODAY)
    blank = shared_data / "rmi-templates" / "blank" / "RMI_CMRT_6.4.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        import_reference_file(blank.read_bytes(), blank.name, actor=_curator())
    entries = ChangeLogEntry.objects.count()
    outcome = rematch_organisation(member_a.organisation_id)
    assert (outcome.matched, outcome.refreshed) == (0, 0)
    assert ChangeLogEntry.objects.count() == entries
