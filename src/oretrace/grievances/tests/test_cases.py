"""Case work: reading (logged), acknowledgement, triage, assignment, replies, notes,
escalation, closure, the statutory timers and their notices, retention, the ledger."""

import datetime
import json

import pytest
from django.utils import timezone

from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import ChangeLogEntry, Notification
from oretrace.grievances import notices, queries
from oretrace.grievances.choices import CaseStatus, EventKind
from oretrace.grievances.exceptions import GrievanceError
from oretrace.grievances.models import Case, CaseEvent, ContentRead, Message, Note
from oretrace.grievances.records import RECORD
from oretrace.grievances.services import cases, intake, upkeep
from oretrace.ledger.models import Leaf

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _events(case):
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


def test_every_reading_of_the_content_is_logged(filed, member_a, officer_a):
    cases.read_content(filed.case, actor=member_a)
    cases.read_content(filed.case, actor=officer_a, purpose="export")
    reads = ContentRead.objects.filter(case=filed.case).order_by("pk")
    assert [(r.member_id, r.purpose) for r in reads] == [
        (member_a.pk, "case page"),
        (officer_a.pk, "export"),
    ]


def test_only_the_case_s_grievance_officers_read_it(filed, admin_only_a, member_b):
    for outsider in (admin_only_a, member_b):
        with pytest.raises(PermissionDenied):
            cases.read_content(filed.case, actor=outsider)
        assert not queries.cases_for(outsider).exists()
    assert not ContentRead.objects.exists()


def test_the_life_of_a_case(filed, member_a, officer_a, django_capture_on_commit_callbacks):
    case = filed.case
    cases.acknowledge(case, actor=member_a, text="Received, we are on it.")
    cases.triage(case, actor=member_a, category="health_safety", severity="high", urgency="urgent")
    with django_capture_on_commit_callbacks(execute=True):
        cases.assign(case, actor=member_a, to=officer_a)
    cases.add_note(case, actor=officer_a, text="Called the unit manager.")
    cases.escalate(case, actor=officer_a, to="Minerals Grievance Platform")
    cases.start_remediation(case, actor=officer_a)
    cases.reply(case, actor=officer_a, text="Masks were delivered.", feedback=True)
    cases.close(case, actor=officer_a, outcome="Masks in stock; monthly checks agreed.")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert (case.category, case.severity, case.urgency) == ("health_safety", "high", "urgent")
    assert case.assigned_to == officer_a
    assert case.acknowledged_on == case.feedback_on == case.closed_on == TODAY()
    assert case.escalated_to == "Minerals Grievance Platform"
    assert _events(case) == [
        EventKind.RECEIVED,
        EventKind.ACKNOWLEDGED,
        EventKind.TRIAGED,
        EventKind.ASSIGNED,
        EventKind.ESCALATED,
        EventKind.REMEDIATION,
        EventKind.FEEDBACK,
        EventKind.CLOSED,
    ]
    # the outcome is what the reporter reads last; the note never reaches them
    thread = cases.thread(case)
    assert thread[-1].is_outcome
    assert thread[-1].text == "Masks in stock; monthly checks agreed."
    assert "Called the unit manager." not in [line.text for line in thread]
    assert Notification.objects.filter(recipient=officer_a.user, kind="assignment").exists()
    cases.reopen(case, actor=member_a)
    case.refresh_from_db()
    assert (case.status, case.closed_on) == (CaseStatus.INVESTIGATION, None)


def test_the_change_log_never_holds_a_text(filed, member_a):
    cases.reply(filed.case, actor=member_a, text="secret reply words")
    cases.add_note(filed.case, actor=member_a, text="secret note words")
    dumped = json.dumps([e.after for e in ChangeLogEntry.objects.all()])
    assert "secret" not in dumped
    assert "sealed" not in dumped
    assert "receipt_digest" not in dumped


def test_a_case_is_assigned_only_to_a_grievance_officer_of_its_organisation(
    filed, member_a, admin_only_a
):
    with pytest.raises(GrievanceError, match="only a grievance officer"):
        cases.assign(filed.case, actor=member_a, to=admin_only_a)


def test_triage_choices_are_checked(filed, member_a):
    with pytest.raises(GrievanceError, match="category: 'weather' is not one of the choices"):
        cases.triage(
            filed.case, actor=member_a, category="weather", severity="low", urgency="routine"
        )


def test_a_first_reply_acknowledges(filed, member_a):
    cases.reply(filed.case, actor=member_a, text="Thank you")
    case = Case.objects.get(pk=filed.case.pk)
    assert (case.status, case.acknowledged_on) == (CaseStatus.ACKNOWLEDGED, TODAY())


def _late_case(channel, officer, days):
    return intake.record_report(
        channel,
        actor=officer,
        text="late",
        intake="paper",
        received_on=TODAY() - datetime.timedelta(days=days),
    ).case


def test_the_7_day_timer_fires_once(
    channel, officer_a, member_a, django_capture_on_commit_callbacks
):
    on_time = _late_case(channel, officer_a, 7)
    late = _late_case(channel, officer_a, 8)
    now = timezone.now()
    assert list(queries.cases_for(member_a, overdue=True)) == [late]
    assert not on_time.acknowledgement_overdue()
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.overdue_cases(now) == 1
    assert notices.overdue_cases(now) == 0  # told once
    notice = Notification.objects.get(key=f"grievance-ack:{late.pk}", recipient=officer_a.user)
    assert notice.kind == "overdue"
    assert queries.counts(member_a).overdue == 1
    cases.acknowledge(late, actor=officer_a, text="Sorry for the wait.")
    assert not queries.cases_for(member_a, overdue=True).exists()


def test_the_3_month_timer_fires_after_acknowledgement(
    channel, officer_a, member_a, django_capture_on_commit_callbacks
):
    case = _late_case(channel, officer_a, 100)
    cases.acknowledge(case, actor=officer_a, text="Received.")
    case.refresh_from_db()
    assert case.feedback_overdue()
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.overdue_cases(timezone.now()) == 1
    assert Notification.objects.filter(key=f"grievance-feedback:{case.pk}").exists()
    cases.reply(case, actor=officer_a, text="Here is what we did.", feedback=True)
    assert notices.overdue_cases(timezone.now()) == 0
    assert not queries.cases_for(member_a, overdue=True).exists()


def test_a_closed_case_is_never_overdue(channel, officer_a):
    case = _late_case(channel, officer_a, 200)
    cases.close(case, actor=officer_a, outcome="Resolved.")
    assert notices.overdue_cases(timezone.now()) == 0


def test_retention_purges_the_texts_and_keeps_the_thread_and_counts(filed, member_a, settings):
    settings.ORETRACE_GRIEVANCE_RETENTION_DAYS = 90
    case = filed.case
    cases.reply(case, actor=member_a, text="Noted.")
    cases.add_note(case, actor=member_a, text="names the supervisor")
    cases.close(case, actor=member_a, outcome="Done.")
    assert upkeep.purge_expired(today=TODAY() + datetime.timedelta(days=89)) == 0
    assert upkeep.purge_expired(today=TODAY() + datetime.timedelta(days=90)) == 1
    assert upkeep.purge_expired(today=TODAY() + datetime.timedelta(days=91)) == 0  # once
    case.refresh_from_db()
    assert case.purged_on == TODAY() + datetime.timedelta(days=90)
    assert case.status == CaseStatus.CLOSED
    messages = Message.objects.filter(case=case)
    assert messages.count() == 3  # the thread's shape stays
    assert all(m.purged and bytes(m.sealed) == b"" for m in messages)
    assert all(n.purged and bytes(n.sealed) == b"" for n in Note.objects.filter(case=case))
    content = cases.read_content(case, actor=member_a)
    assert [line.text for line in content.messages] == ["", "", ""]
    assert [line.author for line in content.messages] == ["reporter", "officer", "officer"]
    assert queries.counts(member_a).by_status == {"closed": 1}
    assert _events(case)[-1] == EventKind.PURGED
    with pytest.raises(GrievanceError, match="purged"):
        cases.reopen(case, actor=member_a)


def test_case_events_go_to_the_ledger_without_content(filed, member_a, tmp_path, settings):
    from oretrace.core.tests.fixtures import own_ledger_keys

    own_ledger_keys(settings, tmp_path)
    cases.acknowledge(filed.case, actor=member_a, text="the secret words")
    assert upkeep.commit_events() == 2
    assert upkeep.commit_events() == 0
    leaves = Leaf.objects.filter(record_type=RECORD).order_by("index")
    assert leaves.count() == 2
    assert all(CaseEvent.objects.filter(committed=True).values_list("committed", flat=True))
    from oretrace.grievances.records import event_facts

    facts = event_facts(CaseEvent.objects.order_by("pk")[0])
    assert facts == {
        "case": filed.case.pk,
        "kind": "received",
        "status": "new",
        "on": TODAY().isoformat(),
    }
