"""Children's cases: the workflow derived from the data, sealing, consent, reads logged."""

from datetime import timedelta

import pytest
from django.db import connection

from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import ChangeLogEntry
from oretrace.programmes import queries, sealing
from oretrace.programmes.exceptions import ProgrammeError, SealError
from oretrace.programmes.models import CaseRead, ChildCase
from oretrace.programmes.services import cases

pytestmark = pytest.mark.django_db


def _identify_ravi(village, member_a, on, *, consent_by="father"):
    """A second child of the village, Ravi (6-11, found at school), identified on ``on`` with
    ``consent_by``'s consent."""
    return cases.identify(
        village,
        actor=member_a,
        identity={"name": "Ravi", "birth_date": "", "location": ""},
        age_band="6-11",
        source="school",
        identified_on=on,
        consent_by=consent_by,
        consent_on=on,
    )


def test_a_case_has_a_pseudonymous_reference_and_the_name_is_sealed(child):
    assert child.reference.startswith("CL-")
    assert "Sunita" not in child.reference
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM programmes_childcase")
        row = cursor.fetchone()
    assert not any(isinstance(v, str) and ("Sunita" in v or "2013-04-02" in v) for v in row)
    assert not any(isinstance(v, (bytes, memoryview)) and b"Sunita" in bytes(v) for v in row)
    for entry in ChangeLogEntry.objects.all():
        assert "Sunita" not in str(entry.after)
        assert "Ward 7" not in str(entry.after)


def test_a_case_worker_opens_the_identity_and_the_opening_is_logged(child, member_a):
    identity = cases.read_identity(child, actor=member_a)
    assert identity == {"name": "Sunita Kumari", "birth_date": "2013-04-02", "location": "Ward 7"}
    read = CaseRead.objects.get(case=child)
    assert read.member == member_a


def test_an_administrator_without_the_role_opens_nothing(child, admin_only_a):
    with pytest.raises(PermissionDenied, match="case worker"):
        cases.read_identity(child, actor=admin_only_a)
    assert not queries.cases_for(admin_only_a).exists()
    assert not CaseRead.objects.exists()


def test_a_sealed_identity_copied_to_another_case_does_not_open(child, village, member_a, today):
    other = _identify_ravi(village, member_a, today)
    ChildCase.objects.filter(pk=other.pk).update(sealed=child.sealed, key_id=child.key_id)
    other.refresh_from_db()
    with pytest.raises(SealError, match="does not open"):
        cases.read_identity(other, actor=member_a)


def test_no_record_without_consent(village, member_a, today):
    with pytest.raises(ProgrammeError, match="who consented"):
        _identify_ravi(village, member_a, today, consent_by=" ")
    assert not ChildCase.objects.exists()


def test_the_workflow_is_derived_from_what_was_recorded(child, member_a, today):
    start = child.identified_on
    assert child.status == "identified"
    with pytest.raises(ProgrammeError, match="Assess"):
        cases.make_plan(child, actor=member_a, on=start)
    child = cases.assess(child, actor=member_a, on=start + timedelta(days=2))
    assert child.status == "assessed"
    child = cases.make_plan(child, actor=member_a, on=start + timedelta(days=5))
    assert child.status == "case_plan"
    (due,) = child.follow_ups.all()
    assert due.due_on == start + timedelta(days=95)
    cases.add_service(
        child,
        actor=member_a,
        kind="bridge_school",
        planned_on=start + timedelta(days=5),
        referred_to="Bal Vikas Kendra",
        delivered_on=start + timedelta(days=9),
    )
    child.refresh_from_db()
    assert child.status == "services"
    cases.record_follow_up(child, actor=member_a, done_on=due.due_on, still_working=False)
    child.refresh_from_db()
    assert child.status == "follow_up"
    with pytest.raises(ProgrammeError, match="after 2 follow-up visits"):
        cases.close(child, actor=member_a, on=today)
    cases.record_follow_up(
        child, actor=member_a, done_on=due.due_on + timedelta(days=90), still_working=False
    )
    child = cases.close(child, actor=member_a, on=today)
    assert child.status == "closed"
    assert not child.follow_ups.filter(done_on__isnull=True).exists()
    with pytest.raises(ProgrammeError, match="is closed"):
        cases.assess(child, actor=member_a, on=today)


def test_a_child_found_working_again_keeps_the_case_open(child, member_a):
    start = child.identified_on
    cases.assess(child, actor=member_a, on=start)
    cases.make_plan(child, actor=member_a, on=start)
    cases.record_follow_up(
        child, actor=member_a, done_on=start + timedelta(days=90), still_working=False
    )
    cases.record_follow_up(
        child, actor=member_a, done_on=start + timedelta(days=180), still_working=True
    )
    with pytest.raises(ProgrammeError, match="in a row"):
        cases.close(child, actor=member_a, on=start + timedelta(days=181))


def test_due_and_overdue_visits_are_counted(child, member_a):
    start = child.identified_on  # 200 days ago: a plan then makes a visit due 110 days ago
    cases.assess(child, actor=member_a, on=start)
    cases.make_plan(child, actor=member_a, on=start)
    counts = queries.case_counts(member_a)
    assert (counts.open, counts.due, counts.overdue) == (1, 0, 1)
    assert list(queries.cases_for(member_a, overdue=True)) == [child]
    cases.record_follow_up(
        child, actor=member_a, done_on=start + timedelta(days=150), still_working=True
    )
    counts = queries.case_counts(member_a)
    assert (counts.due, counts.overdue) == (1, 0)  # the next is due in 40 days


def test_another_organisations_case_worker_cannot_act(child, member_b):
    with pytest.raises(PermissionDenied):
        cases.assess(child, actor=member_b, on=child.identified_on)
    with pytest.raises(PermissionDenied):
        cases.read_identity(child, actor=member_b)
    assert not queries.cases_for(member_b).exists()


def test_figures_from_recorded_cases(child, village, member_a, programme):
    start = child.identified_on
    cases.assess(child, actor=member_a, on=start)
    cases.make_plan(child, actor=member_a, on=start)
    for kind in ("school", "health"):
        cases.add_service(child, actor=member_a, kind=kind, planned_on=start, delivered_on=start)
    whole = queries.figure_rows(programme)[0]
    assert (whole.scope, whole.period) == ("", "")
    assert whole.figures.identified == 1
    assert whole.figures.multiple_types == 1
    assert whole.figures.visits_due == 1
    assert whole.figures.visits_on_time == 0


def test_figures_per_reporting_period_count_the_children_identified_in_it(
    child, village, member_a, programme, today
):
    from oretrace.programmes.services import setup

    setup.add_period(
        programme,
        actor=member_a,
        label="Earlier",
        starts_on=today - timedelta(days=300),
        ends_on=today - timedelta(days=100),
    )
    setup.add_period(
        programme,
        actor=member_a,
        label="Recent",
        starts_on=today - timedelta(days=99),
        ends_on=today,
    )
    _identify_ravi(village, member_a, today - timedelta(days=10))
    rows = {(r.scope, r.period): r.figures.identified for r in queries.figure_rows(programme)}
    assert rows[("", "")] == 2
    assert rows[("", "Earlier")] == 1  # the fixture's child, identified 200 days ago
    assert rows[("", "Recent")] == 1
    assert rows[("Dhorkola", "Recent")] == 1


def test_no_new_key_is_made_when_sealed_identities_lost_theirs(child, programme_keys):
    for path in programme_keys.glob("*.key"):
        path.unlink()
    with pytest.raises(SealError, match="restore the key folder"):
        sealing.seal_identity({"name": "x", "birth_date": "", "location": ""}, case_id=child.pk)
    assert list(programme_keys.glob("*.key")) == []
