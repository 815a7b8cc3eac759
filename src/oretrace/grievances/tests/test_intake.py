"""Intake: anonymous web reports, receipts, the reporter's answers, officer-recorded reports,
and the flood limits that count nobody."""

import datetime

import pytest
from django.utils import timezone

from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import ChangeLogEntry
from oretrace.grievances import receipts
from oretrace.grievances.choices import Author, CaseStatus, EventKind, Intake
from oretrace.grievances.exceptions import GrievanceError, IntakeThrottled
from oretrace.grievances.models import Case, CaseEvent, ChannelDay
from oretrace.grievances.services import cases, intake

pytestmark = pytest.mark.django_db


def test_a_web_report_makes_a_case_dated_by_the_day_with_its_deadlines(filed, channel):
    case = Case.objects.get(pk=filed.case.pk)
    today = timezone.localdate()
    assert case.organisation_id == channel.organisation_id
    assert case.intake == Intake.WEB
    assert case.status == CaseStatus.NEW
    assert case.received_on == today
    assert case.acknowledge_by == today + datetime.timedelta(days=7)
    assert (case.feedback_by - today).days in range(89, 93)  # three calendar months
    assert [e.kind for e in CaseEvent.objects.filter(case=case)] == [EventKind.RECEIVED]
    assert len(filed.grouped_receipt) == 19


def test_the_reporter_writes_no_change_log_entry(channel):
    before = ChangeLogEntry.objects.count()
    intake.file_report(channel, text="anonymous")
    assert ChangeLogEntry.objects.count() == before


def test_the_receipt_finds_the_case_and_the_reporter_answers(filed, channel, member_a):
    case = intake.find_case(channel, receipts.grouped(filed.receipt))
    assert case.pk == filed.case.pk
    cases.reply(case, actor=member_a, text="Which shed?")
    intake.reporter_reply(case, text="The north shed.")
    lines = cases.thread(case)
    assert [(line.author, line.text) for line in lines] == [
        (Author.REPORTER, "The dust mask stock ran out in May."),
        (Author.OFFICER, "Which shed?"),
        (Author.REPORTER, "The north shed."),
    ]


def test_a_receipt_of_another_channel_finds_nothing(filed, member_a):
    other = intake.open_channel(actor=member_a, slug="other", name="Other")
    with pytest.raises(GrievanceError, match="No report on this channel has this receipt"):
        intake.find_case(other, filed.receipt)


def test_a_typo_is_caught_before_any_lookup_and_not_counted(filed, channel):
    typo = filed.receipt[:-1] + str((int(filed.receipt[-1]) + 1) % 10)
    with pytest.raises(GrievanceError, match="This receipt has a typing mistake"):
        intake.find_case(channel, typo)
    assert not ChannelDay.objects.filter(wrong_receipts__gt=0).exists()


def test_wrong_receipts_are_limited_per_channel_and_day(channel, settings):
    settings.ORETRACE_GRIEVANCE_WRONG_RECEIPTS_PER_DAY = 2
    for _ in range(2):
        with pytest.raises(GrievanceError, match="No report"):
            intake.find_case(channel, receipts.new_receipt())
    with pytest.raises(IntakeThrottled, match="Too many wrong receipts"):
        intake.find_case(channel, receipts.new_receipt())


def test_reports_are_limited_per_channel_and_day(channel, settings):
    settings.ORETRACE_GRIEVANCE_REPORTS_PER_DAY = 2
    intake.file_report(channel, text="one")
    intake.file_report(channel, text="two")
    with pytest.raises(IntakeThrottled, match="too many reports today"):
        intake.file_report(channel, text="three")
    assert Case.objects.count() == 2


def test_the_reporter_s_messages_are_limited_per_receipt_and_day(filed, settings):
    settings.ORETRACE_GRIEVANCE_MESSAGES_PER_DAY = 1
    intake.reporter_reply(filed.case, text="first")
    with pytest.raises(IntakeThrottled, match="many messages today"):
        intake.reporter_reply(filed.case, text="second")


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "The report: write something first"), ("x" * 5001, "at most 5000")],
)
def test_an_empty_or_too_long_report_is_refused(channel, text, message):
    with pytest.raises(GrievanceError, match=message):
        intake.file_report(channel, text=text)
    assert not Case.objects.exists()


def test_a_closed_channel_takes_no_report(channel):
    channel.is_open = False
    with pytest.raises(GrievanceError, match="channel is closed"):
        intake.file_report(channel, text="x")


def test_an_officer_records_a_report_heard_by_phone(channel, officer_a):
    received = timezone.localdate() - datetime.timedelta(days=3)
    filed = intake.record_report(
        channel, actor=officer_a, text="Heard on the phone", intake="phone", received_on=received
    )
    case = filed.case
    assert (case.intake, case.received_on) == (Intake.PHONE, received)
    assert case.acknowledge_by == received + datetime.timedelta(days=7)
    assert intake.find_case(channel, filed.receipt).pk == case.pk
    assert cases.thread(case)[0].author == Author.REPORTER


@pytest.mark.parametrize("intake_kind", ["web", "sms", "fax"])
def test_an_officer_marks_only_an_operator_channel(channel, officer_a, intake_kind):
    with pytest.raises(GrievanceError, match=f"channel: '{intake_kind}' is not one of"):
        intake.record_report(channel, actor=officer_a, text="x", intake=intake_kind)


def test_an_administrator_without_the_role_records_nothing(channel, admin_only_a, member_b):
    with pytest.raises(PermissionDenied, match="grievance officer, held in person"):
        intake.record_report(channel, actor=admin_only_a, text="x", intake="paper")
    with pytest.raises(PermissionDenied, match="only members of the owning organisation"):
        intake.record_report(channel, actor=member_b, text="x", intake="paper")
    assert not Case.objects.exists()


def test_a_channel_address_is_checked(member_a, channel):
    with pytest.raises(GrievanceError, match="is taken"):
        intake.open_channel(actor=member_a, slug="alpha-voice", name="again")
    with pytest.raises(GrievanceError, match="letters, digits and dashes"):
        intake.open_channel(actor=member_a, slug="a b", name="x")
