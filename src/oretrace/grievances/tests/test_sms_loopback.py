"""Each gateway played by a fake on loopback against the running app (pytest-django's live
server): the same inbound SMS delivered three times and out of order to the app's webhook makes
one case, and one receipt SMS reaches the fake gateway's sending API; a Devanagari message long
enough for three SMS parts arrives whole (each of these gateways joins the parts before it
calls the webhook)."""

import csv
import json
from urllib.parse import parse_qs, urlencode

import pytest

from oretrace.grievances.models import Case, OutboundSms, SmsMessage
from oretrace.grievances.services import cases
from oretrace.grievances.sms import encoding, twilio
from oretrace.grievances.tests import fake_gateway

pytestmark = pytest.mark.django_db(transaction=True)

SENDER = "+919812345678"
ANDROID_KEY = "android-key"
TWILIO_TOKEN = "twilio-token"
AT_KEY = "at-key"
HINDI_CSV = "sms/Kiran-Karandikar_Hindi-Spam-Message-Classifier/Data/hindi_sms_data.csv"


@pytest.fixture
def three_parts(shared_data):
    """A real Hindi SMS text that takes three UCS-2 parts (135 to 201 characters)."""
    with (shared_data / HINDI_CSV).open(encoding="utf-8-sig") as handle:
        texts = [row["Message"].strip() for row in csv.DictReader(handle)]
    return next(
        t
        for t in texts
        if encoding.segments(t).parts == 3 and encoding.segments(t).encoding == encoding.UCS2
    )


def _android(url, message_id, text):
    return fake_gateway.android_received(message_id, text, SENDER, key=ANDROID_KEY)


def _twilio(url, message_id, text):
    fields = {
        "MessageSid": message_id,
        "AccountSid": "AC1",
        "From": SENDER,
        "To": "+12028831111",
        "Body": text,
        "NumSegments": str(encoding.segments(text).parts),
        "NumMedia": "0",
    }
    headers = {
        "X-Twilio-Signature": twilio.signature(TWILIO_TOKEN, url, list(fields.items())),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return urlencode(fields).encode(), headers


def _africastalking(url, message_id, text):
    fields = {
        "linkId": "0309",
        "text": text,
        "to": "21512",
        "id": message_id,
        "date": "2026-12-07T06:04:45Z",
        "from": SENDER,
    }
    return urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"}


AT_SENT = json.dumps(
    {
        "SMSMessageData": {
            "Recipients": [{"statusCode": 101, "status": "Success", "messageId": "ATX1"}]
        }
    }
).encode()

ADAPTERS = {
    "android": (_android, "/message", (202, b'{"id": "gw-1"}'), ""),
    "twilio": (_twilio, "/2010-04-01/Accounts/AC1/Messages.json", (201, b'{"sid": "SM1"}'), ""),
    "africastalking": (_africastalking, "/version1/messaging", (201, AT_SENT), f"?key={AT_KEY}"),
}


def _configure(settings, gateway, fake, live_server):
    settings.ORETRACE_BASE_URL = live_server.url
    settings.ORETRACE_GRIEVANCE_SMS_GATEWAY = gateway
    settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY = ANDROID_KEY
    settings.ORETRACE_GRIEVANCE_SMS_ANDROID_URL = f"{fake.url}/message"
    fake_gateway.send_through(settings, fake, twilio_token=TWILIO_TOKEN, twilio_sid="AC1")
    settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_WEBHOOK_KEY = AT_KEY


@pytest.mark.parametrize("gateway", sorted(ADAPTERS))
@pytest.mark.parametrize("inbox", [False, True], ids=["in-request", "inbox"])
def test_three_deliveries_out_of_order_one_case_one_receipt(
    gateway, inbox, reference_data, channel, live_server, settings, three_parts
):
    build, send_path, answer, query = ADAPTERS[gateway]
    settings.ORETRACE_GRIEVANCE_SMS_INBOX = inbox
    with fake_gateway.running() as fake:
        _configure(settings, gateway, fake, live_server)
        fake.default = answer
        url = f"{live_server.url}/voice/{channel.slug}/sms/{gateway}/{query}"
        first = build(url, "sms-1", three_parts)
        second = build(url, "sms-2", "दूसरा संदेश")
        # the gateway retries: each message three times, the second overtaking the first
        for body, headers in (second, first, second, first, first, second):
            status, content = fake.deliver(url, body, headers)
            assert status == 200, content
        assert Case.objects.count() == 1
        assert SmsMessage.objects.count() == 2
        texts = {line.text for line in cases.thread(Case.objects.get())}
        assert texts == {three_parts, "दूसरा संदेश"}  # the three parts arrived as one
        assert OutboundSms.objects.count() == 1
        sent = [request for request in fake.requests if request.path == send_path]
        assert len(sent) == 1
        body = sent[0].body.decode()
        assert "रसीद" in (
            json.loads(body)["textMessage"]["text"] if gateway == "android" else str(parse_qs(body))
        )


def test_concurrent_duplicate_deliveries_through_the_inbox_count_once(
    reference_data, channel, live_server, settings
):
    """Four gateway connections at once, each delivering the same twelve messages in its own
    order, to the live app with the inbox on: each message filed once, none lost.

    On PostgreSQL only: with SQLite the live server's threads share the test's one in-memory
    connection, so concurrent requests break each other's transactions (a test artefact; a
    deployed SQLite has a connection per process and one writer at a time)."""
    import random
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests need a connection each: run on PostgreSQL")

    settings.ORETRACE_GRIEVANCE_SMS_INBOX = True
    settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY = ANDROID_KEY
    url = f"{live_server.url}/voice/{channel.slug}/sms/android/"
    messages = [_android(url, f"c-{i}", f"संदेश {i}") for i in range(12)]
    failures: list[str] = []

    def deliver(seed: int) -> None:
        order = list(messages)
        random.Random(seed).shuffle(order)
        for body, headers in order:
            status, content = fake_gateway.FakeGateway.deliver(url, body, headers)
            if status != 200:
                failures.append(f"{status} {content[:200]!r}")

    threads = [threading.Thread(target=deliver, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    from oretrace.grievances.services import filing

    filing.file_all()  # what a lost filing task would have left
    assert SmsMessage.objects.count() == 12
    texts = sorted(line.text for line in cases.thread(Case.objects.get()))
    assert texts == sorted(f"संदेश {i}" for i in range(12))
