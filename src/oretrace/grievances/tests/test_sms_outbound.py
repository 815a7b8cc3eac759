"""Sending SMS: once per reference, the number sealed and erased after sending, retries with a
doubling wait, the GSM-7/UCS-2 part counts; the Android gateway's local API on a fake gateway
on loopback."""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from oretrace.grievances.choices import OutboundStatus
from oretrace.grievances.exceptions import GrievanceError
from oretrace.grievances.models import OutboundSms
from oretrace.grievances.services import outbound
from oretrace.grievances.services import sms as sms_services
from oretrace.grievances.sms import encoding
from oretrace.grievances.tests import fake_gateway
from oretrace.grievances.tests.test_pages import _tables_holding

pytestmark = pytest.mark.django_db

NUMBER = "+919812345678"


@pytest.fixture
def gateway(settings):
    with fake_gateway.running() as fake:
        settings.ORETRACE_GRIEVANCE_SMS_ANDROID_URL = f"{fake.url}/message"
        settings.ORETRACE_GRIEVANCE_SMS_ANDROID_USER = "sms"
        settings.ORETRACE_GRIEVANCE_SMS_ANDROID_PASSWORD = "secret-pass"
        yield fake


def _send(channel, reference="receipt:1", text="आपकी रसीद 1234", to=NUMBER):
    return sms_services.send_sms(channel, to=to, text=text, reference=reference)


def test_an_sms_is_sent_once_per_reference_and_its_number_erased(channel, gateway, settings):
    first = _send(channel)
    again = _send(channel, text="another text")
    assert again.pk == first.pk
    row = OutboundSms.objects.get()
    outbound.deliver_outbound(row.pk)
    row.refresh_from_db()
    assert row.status == OutboundStatus.SENT
    assert row.gateway_id == "gw-1"
    assert bytes(row.sealed_to) == b""
    assert bytes(row.sealed_text) == b""  # a receipt's SMS holds the receipt: not kept
    assert len(gateway.requests) == 1
    sent = gateway.requests[0]
    assert sent.path == "/message"
    assert sent.headers["authorization"] == "Basic " + base64.b64encode(b"sms:secret-pass").decode()
    document = json.loads(sent.body)
    assert document["phoneNumbers"] == [NUMBER]
    assert document["textMessage"] == {"text": "आपकी रसीद 1234"}
    assert document["id"] == f"oretrace-{row.pk}"
    # a second delivery of the same row sends nothing
    assert outbound.deliver_outbound(row.pk) is None
    assert len(gateway.requests) == 1


def test_the_number_and_text_are_sealed_while_queued(channel, gateway):
    _send(channel, text="plain words here")
    assert _tables_holding("919812345678", "plain words here") == []


def test_a_gateway_down_is_retried_with_a_doubling_wait_then_given_up(channel, gateway, settings):
    settings.ORETRACE_GRIEVANCE_SMS_SEND_ATTEMPTS = 3
    gateway.default = (503, b'{"message": "busy"}')
    row = _send(channel)
    now = timezone.now()
    waits = []
    for step in range(3):
        waits.append(outbound.deliver_outbound(row.pk, now=now + timedelta(hours=step)))
    row.refresh_from_db()
    assert waits == [30.0, 60.0, None]
    assert row.status == OutboundStatus.FAILED
    assert "HTTP 503" in row.last_error
    assert bytes(row.sealed_to) == b""
    assert len(gateway.requests) == 3


def test_a_retry_before_its_time_does_nothing(channel, gateway):
    gateway.answers = [(500, b"oops")]
    row = _send(channel)
    now = timezone.now()
    assert outbound.deliver_outbound(row.pk, now=now) == 30.0
    assert outbound.deliver_outbound(row.pk, now=now + timedelta(seconds=10)) is None
    assert len(gateway.requests) == 1
    assert outbound.deliver_outbound(row.pk, now=now + timedelta(seconds=31)) is None
    row.refresh_from_db()
    assert row.status == OutboundStatus.SENT
    assert row.attempts == 2


def test_a_refusal_is_not_retried(channel, gateway):
    gateway.default = (401, b'{"message": "Unauthorized"}')
    row = _send(channel)
    assert outbound.deliver_outbound(row.pk) is None
    row.refresh_from_db()
    assert row.status == OutboundStatus.FAILED
    assert "HTTP 401" in row.last_error


def test_a_conflict_means_the_phone_already_has_it(channel, gateway):
    gateway.default = (409, b'{"message": "exists"}')
    row = _send(channel)
    outbound.deliver_outbound(row.pk)
    row.refresh_from_db()
    assert row.status == OutboundStatus.SENT


def test_an_unreachable_gateway_is_retried(channel, settings):
    settings.ORETRACE_GRIEVANCE_SMS_ANDROID_URL = "http://127.0.0.1:9/message"
    settings.ORETRACE_GRIEVANCE_SMS_SEND_TIMEOUT_SECONDS = 2
    row = _send(channel)
    assert outbound.deliver_outbound(row.pk) == 30.0
    row.refresh_from_db()
    assert "did not answer" in row.last_error


@pytest.mark.parametrize(
    ("to", "text", "reference", "message"),
    [
        ("call me", "hi", "r", "E.164"),
        (NUMBER, "   ", "r", "some text"),
        (NUMBER, "hi", "", "reference"),
    ],
)
def test_bad_arguments_are_refused(channel, gateway, to, text, reference, message):
    with pytest.raises(GrievanceError, match=message):
        sms_services.send_sms(channel, to=to, text=text, reference=reference)
    assert not OutboundSms.objects.exists()


def test_without_a_gateway_sending_is_refused(channel, settings):
    settings.ORETRACE_GRIEVANCE_SMS_ANDROID_URL = ""
    with pytest.raises(GrievanceError, match="no SMS gateway"):
        _send(channel)


def test_the_task_sends_at_commit(channel, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = _send(channel)
    row.refresh_from_db()
    assert row.status == OutboundStatus.SENT
    assert len(gateway.requests) == 1


def test_an_inbound_hook_takes_a_message_once(channel, monkeypatch):
    from oretrace.grievances.models import Case, SmsMessage
    from oretrace.grievances.sms import InboundSms

    taken = []

    def survey(found, sms):
        taken.append(sms.text)
        return sms.text.strip() in {"1", "2", "STOP"}

    monkeypatch.setattr(sms_services, "INBOUND_HOOKS", [survey])
    answer = InboundSms("android", "x-1", NUMBER, "2")
    assert sms_services.receive_sms(channel, answer).taken
    assert sms_services.receive_sms(channel, answer).duplicate
    assert taken == ["2"]
    assert not Case.objects.exists()
    report = InboundSms("android", "x-2", NUMBER, "the wages are late")
    assert sms_services.receive_sms(channel, report).case_id
    assert Case.objects.count() == 1
    assert SmsMessage.objects.count() == 2


# --- parts on the air -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, (encoding.GSM7, 160, 1)),
        ("a" * 161, (encoding.GSM7, 161, 2)),
        ("a" * 306, (encoding.GSM7, 306, 2)),
        ("a" * 307, (encoding.GSM7, 307, 3)),
        ("€" * 80, (encoding.GSM7, 160, 1)),
        ("€" * 81, (encoding.GSM7, 162, 2)),
        ("क" * 70, (encoding.UCS2, 70, 1)),
        ("क" * 71, (encoding.UCS2, 71, 2)),
        ("क" * 134, (encoding.UCS2, 134, 2)),
        ("क" * 135, (encoding.UCS2, 135, 3)),
        ("a" * 69 + "😀", (encoding.UCS2, 71, 2)),
        ("", (encoding.GSM7, 0, 0)),
    ],
)
def test_parts_are_counted_by_encoding(text, expected):
    found = encoding.segments(text)
    assert (found.encoding, found.units, found.parts) == expected


def test_a_split_never_cuts_an_escape_or_a_surrogate_pair():
    parts = encoding.split("a" * 152 + "€" + "b" * 10)
    assert parts[0] == "a" * 152
    assert parts[1].startswith("€")
    emoji = encoding.split("क" * 66 + "😀" + "क" * 10)
    assert emoji[0] == "क" * 66
    assert "".join(emoji) == "क" * 66 + "😀" + "क" * 10


def test_the_queued_row_counts_its_parts(channel, gateway):
    row = _send(channel, text="क" * 135)
    assert row.parts == 3
