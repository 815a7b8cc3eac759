"""Answers by SMS: an SMS reporter whose message opens a case gets its receipt by SMS, in their
language, and can use it on the web; officers' replies reach them when they next write (the
number is in hand then and is never kept for it), each reply once."""

import json
import re

import pytest
from django.test import Client

from oretrace.grievances.models import Case, OutboundSms
from oretrace.grievances.services import cases, intake
from oretrace.grievances.sms import language
from oretrace.grievances.tests import fake_gateway
from oretrace.grievances.tests.test_pages import _tables_holding

pytestmark = pytest.mark.django_db

KEY = "signing-key"
NUMBER = "+919812345678"


@pytest.fixture
def phone(settings):
    """The Android gateway both ways: its webhook signed with KEY, its local API on loopback."""
    with fake_gateway.running() as fake:
        settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY = KEY
        settings.ORETRACE_GRIEVANCE_SMS_ANDROID_URL = f"{fake.url}/message"
        settings.ORETRACE_GRIEVANCE_SMS_ANDROID_USER = "sms"
        settings.ORETRACE_GRIEVANCE_SMS_ANDROID_PASSWORD = "pass"
        settings.ORETRACE_BASE_URL = "https://voice.example"
        yield fake


def _inbound(channel, message_id, text, sender=NUMBER):
    body, headers = fake_gateway.android_received(message_id, text, sender, key=KEY)
    return Client().post(
        f"/voice/{channel.slug}/sms/android/",
        body,
        content_type=headers.pop("Content-Type"),
        headers=headers,
    )


def _sent(fake):
    return [json.loads(request.body) for request in fake.requests]


def test_a_new_sms_case_gets_its_receipt_by_sms_usable_on_the_web(
    channel, phone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert _inbound(channel, "m-1", "The mine pays us late").status_code == 200
    (sms,) = _sent(phone)
    assert sms["phoneNumbers"] == [NUMBER]
    text = sms["textMessage"]["text"]
    assert "Your report was received" in text
    assert f"https://voice.example/voice/{channel.slug}/follow/" in text
    found = re.search(r"\d{4} \d{4} \d{4} \d{4}", text)
    assert found is not None
    receipt = found.group()
    # the receipt opens the case on the web, as a web reporter's does
    assert intake.find_case(channel, receipt) == Case.objects.get()
    page = Client().post(f"/voice/{channel.slug}/follow/", {"receipt": receipt})
    assert "The mine pays us late" in page.content.decode()
    # sent, and the number erased from the queue
    row = OutboundSms.objects.get()
    assert row.reference == f"receipt:{Case.objects.get().pk}"
    assert bytes(row.sealed_to) == b""
    assert _tables_holding("919812345678", "9812345678") == []


def test_the_receipt_is_sent_once_whatever_the_retries(
    channel, phone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            _inbound(channel, "m-1", "duplicate delivery")
    assert len(phone.requests) == 1
    assert OutboundSms.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("हमें तीन महीने से मजदूरी नहीं मिली", "रसीद"),
        ("Nous ne sommes pas payés depuis trois mois", "Reçu"),
        ("Hatujalipwa mshahara kwa miezi mitatu", "Risiti"),
    ],
)
def test_the_receipt_speaks_the_reporter_s_language(
    channel, phone, django_capture_on_commit_callbacks, text, words
):
    with django_capture_on_commit_callbacks(execute=True):
        _inbound(channel, "m-1", text)
    assert words in _sent(phone)[0]["textMessage"]["text"]


def test_officer_replies_reach_the_reporter_when_they_next_write(
    channel, phone, member_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _inbound(channel, "m-1", "The dust masks ran out")
    case = Case.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        cases.reply(case, actor=member_a, text="Which shed? We will bring masks.")
    assert len(phone.requests) == 1  # only the receipt: no number to send the reply to
    with django_capture_on_commit_callbacks(execute=True):
        _inbound(channel, "m-2", "Shed 3")
    texts = [sms["textMessage"]["text"] for sms in _sent(phone)]
    assert texts[1] == "Grievance officer: Which shed? We will bring masks."
    with django_capture_on_commit_callbacks(execute=True):
        _inbound(channel, "m-3", "Thank you")
    assert len(phone.requests) == 2  # each reply once
    assert [line.text for line in cases.thread(case)][-1] == "Thank you"


def test_without_a_sending_gateway_the_case_is_filed_and_nothing_queued(channel, settings):
    settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY = KEY
    settings.ORETRACE_GRIEVANCE_SMS_ANDROID_URL = ""
    assert _inbound(channel, "m-1", "no gateway to answer").status_code == 200
    assert Case.objects.count() == 1
    assert not OutboundSms.objects.exists()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("मजदूरी नहीं मिली", "hi"),
        ("Les enfants travaillent dans la mine", "fr"),
        ("Watoto wanafanya kazi katika mgodi", "sw"),
        ("The wages are late", "en"),
        ("ok", "en"),
    ],
)
def test_the_language_guess(text, code):
    assert language.guess(text) == code
