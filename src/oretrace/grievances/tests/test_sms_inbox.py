"""The SMS inbox (``ORETRACE_GRIEVANCE_SMS_INBOX``): the webhook keeps each message and answers
at once, the worker files it; each message exactly once whatever the duplicates, their order,
or whether a duplicate comes before or after the filing; nothing lost, no number in clear."""

import random

import pytest

from oretrace.grievances.models import Case, Message, SmsInbox, SmsMessage
from oretrace.grievances.services import cases, filing, inbox
from oretrace.grievances.sms import InboundSms
from oretrace.grievances.tests.test_pages import _tables_holding
from oretrace.grievances.tests.test_sms import _body, _post, _signed

pytestmark = pytest.mark.django_db


def _sms(i, sender=None):
    return InboundSms("android", f"m-{i}", sender or f"+9198{i % 7:08d}", f"संदेश {i}")


def test_duplicates_in_any_order_before_and_after_filing_count_once(channel):
    messages = [_sms(i) for i in range(60)]
    deliveries = messages + random.Random(3).sample(messages, 30) + messages[:10]
    random.Random(5).shuffle(deliveries)
    for step, sms in enumerate(deliveries):
        inbox.take_in(channel, sms)
        if step % 17 == 0:  # the worker passes now and then, in the middle of the deliveries
            filing.file_batch(limit=5)
    filing.file_all()
    assert not SmsInbox.objects.exists()
    assert SmsMessage.objects.count() == 60
    assert Message.objects.count() == 60
    assert Case.objects.count() == 7  # one per sender
    texts = sorted(line.text for case in Case.objects.all() for line in cases.thread(case))
    assert texts == sorted(sms.text for sms in messages)


def test_the_inbox_holds_no_number_or_text_in_clear(channel):
    inbox.take_in(channel, InboundSms("android", "x", "+919812345678", "plain words"))
    assert SmsInbox.objects.count() == 1
    assert _tables_holding("919812345678", "plain words") == []


def test_a_message_that_cannot_be_filed_is_dropped_not_retried(channel, monkeypatch, caplog):
    inbox.take_in(channel, _sms(1))
    inbox.take_in(channel, _sms(2))

    def broken(found, sms):
        raise ValueError("the key folder is gone")

    monkeypatch.setattr("oretrace.grievances.services.sms.receive_sms", broken)
    assert filing.file_batch() == 2
    assert not SmsInbox.objects.exists()
    assert "not filed: the key folder is gone" in caplog.text


def test_the_webhook_answers_queued_and_the_worker_files(
    channel, settings, django_capture_on_commit_callbacks
):
    settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY = "matrix-signing-key"
    settings.ORETRACE_GRIEVANCE_SMS_INBOX = True
    body = _body("m-1", "पानी नहीं है")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert _post(channel, body, **_signed(body)).json() == {"status": "queued"}
        assert _post(channel, body, **_signed(body)).json() == {"status": "queued"}
    assert SmsInbox.objects.count() == 1
    assert not Case.objects.exists()
    for callback in callbacks:  # the filing task, run by the immediate backend of the tests
        callback()
    assert not SmsInbox.objects.exists()
    assert [line.text for line in cases.thread(Case.objects.get())] == ["पानी नहीं है"]


def test_an_empty_text_is_refused_by_the_webhook_in_inbox_mode(channel, settings):
    settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY = "matrix-signing-key"
    settings.ORETRACE_GRIEVANCE_SMS_INBOX = True
    body = _body("m-1", "   ")
    response = _post(channel, body, **_signed(body))
    assert response.status_code == 400
    assert not SmsInbox.objects.exists()
