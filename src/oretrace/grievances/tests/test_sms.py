"""SMS intake through the SMS Gateway for Android's webhooks: the real payloads of its docs,
signatures, each message processed exactly once (retries, duplicates, out of order), threads by
a keyed hash of the number, never the number itself."""

import csv
import hashlib
import hmac
import json
import re
import time

import pytest
from django.test import Client

from oretrace.grievances.choices import Intake
from oretrace.grievances.models import Case, Message, SmsMessage
from oretrace.grievances.services import cases, upkeep
from oretrace.grievances.sms import SignatureInvalid, SmsError, android
from oretrace.grievances.tests.test_pages import _tables_holding

pytestmark = pytest.mark.django_db

KEY = "matrix-signing-key"
DOCS = "sms/android-sms-gateway_docs-web/docs"


def _examples(shared_data):
    """The docs' example webhook bodies, by event: JSON blocks under ``=== "event"`` tabs."""
    text = (shared_data / DOCS / "features/webhooks.md").read_text()
    found = {}
    for event, block in re.findall(r'=== "([a-z:-]+)"\n\s+```json\n(.*?)```', text, re.S):
        found[event] = block.encode()
    return found


def _body(message_id="m-1", text="हमें मजदूरी नहीं मिली", sender="+919876543210"):
    document = {
        "deviceId": "ffffffffceb0b1db0000018e937c815b",
        "event": "sms:received",
        "id": f"evt-{message_id}",
        "payload": {
            "messageId": message_id,
            "message": text,
            "sender": sender,
            "recipient": None,
            "simNumber": None,
            "receivedAt": "2026-06-22T15:46:11.000+05:30",
        },
        "webhookId": "LreFUt-Z3sSq0JufY9uWB",
    }
    return json.dumps(document, ensure_ascii=False).encode()


def _signed(body, key=KEY, timestamp=None):
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = hmac.new(key.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    return {"HTTP_X_SIGNATURE": signature, "HTTP_X_TIMESTAMP": stamp}


@pytest.fixture
def sms_on(settings):
    settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY = KEY


def _post(channel, body, **headers):
    return Client().post(
        f"/voice/{channel.slug}/sms/android/", body, content_type="application/json", **headers
    )


# --- the adapter, on the gateway's own documented payloads ---------------------------------
def test_the_documented_sms_received_payload_parses(shared_data):
    sms = android.parse(_examples(shared_data)["sms:received"])
    assert sms is not None
    assert (sms.sender, sms.text) == ("6505551212", "Android is always a sweet treat!")
    assert sms.message_id == "ffffffffceb0b1db0000018e937c815b:abc123"


def test_the_other_documented_events_are_ignored(shared_data):
    examples = _examples(shared_data)
    others = [event for event in examples if event != "sms:received"]
    assert {"sms:sent", "sms:delivered", "sms:failed"} <= set(others)
    for event in others:
        assert android.parse(examples[event]) is None, event


def test_the_older_payload_with_phone_number_only_parses(shared_data):
    blog = (shared_data / DOCS / "blog/posts").glob("*.md")
    assert '"phoneNumber"' in next(iter(blog)).read_text()  # the shape the blog describes
    body = json.dumps(
        {
            "event": "sms:received",
            "payload": {"messageId": "x", "phoneNumber": "+1234567890", "message": "hi"},
        }
    ).encode()
    sms = android.parse(body)
    assert sms is not None
    assert sms.sender == "+1234567890"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not JSON"),
        (b"[]", "not a JSON object"),
        (b'{"event": "sms:received"}', "payload: expected an object"),
        (b'{"event": "sms:received", "payload": {"messageId": "x", "message": "m"}}', "sender"),
        (
            b'{"event": "sms:received", '
            b'"payload": {"sender": "1", "message": 5, "messageId": "x"}}',
            "payload.message: expected text, got int",
        ),
    ],
)
def test_a_bad_payload_names_what_is_wrong(body, message):
    with pytest.raises(SmsError, match=message):
        android.parse(body)


def test_the_signature_is_checked():
    body = _body()
    headers = _signed(body)
    now = int(headers["HTTP_X_TIMESTAMP"])
    check = {"body": body, "now": now, "max_skew": 300}
    android.verify(key=KEY, timestamp=str(now), signature=headers["HTTP_X_SIGNATURE"], **check)
    with pytest.raises(SignatureInvalid, match="does not match"):
        android.verify(
            key="other", timestamp=str(now), signature=headers["HTTP_X_SIGNATURE"], **check
        )
    with pytest.raises(SignatureInvalid, match="more than 300 s"):
        android.verify(
            key=KEY, timestamp=str(now - 301), signature=headers["HTTP_X_SIGNATURE"], **check
        )
    with pytest.raises(SignatureInvalid, match="required"):
        android.verify(key=KEY, timestamp="", signature="", **check)


# --- the webhook, end to end --------------------------------------------------------------
def test_three_deliveries_out_of_order_make_one_case_and_each_message_once(channel, sms_on):
    first, second = _body("m-1", "पहला संदेश"), _body("m-2", "दूसरा संदेश")
    statuses = [
        _post(channel, body, **_signed(body)).json()["status"]
        for body in (first, second, first, second, first)
    ]
    assert statuses == ["received", "received", "duplicate", "duplicate", "duplicate"]
    case = Case.objects.get()
    assert case.intake == Intake.SMS
    assert [line.text for line in cases.thread(case)] == ["पहला संदेश", "दूसरा संदेश"]
    assert SmsMessage.objects.count() == 2


def test_a_long_devanagari_sms_arrives_whole(channel, sms_on, shared_data):
    path = (
        shared_data / "sms/Kiran-Karandikar_Hindi-Spam-Message-Classifier/Data/hindi_sms_data.csv"
    )
    with path.open(encoding="utf-8-sig") as handle:
        texts = [row["Message"] for row in csv.DictReader(handle)]
    # over 134 UCS-2 characters: three concatenated parts on the air, one webhook from the phone
    text = next(t for t in texts if len(t) > 134)
    body = _body("long", text)
    assert _post(channel, body, **_signed(body)).status_code == 200
    assert cases.thread(Case.objects.get())[0].text == text


def test_a_sender_s_messages_thread_and_another_sender_opens_a_case(channel, sms_on, member_a):
    for message_id, sender in (
        ("a", "+91 98765 43210"),
        ("b", "+919876543210"),
        ("c", "+255700000001"),
    ):
        body = _body(message_id, f"text {message_id}", sender)
        _post(channel, body, **_signed(body))
    assert Case.objects.count() == 2
    threaded = Case.objects.get(sms__external_id__endswith=":a")
    assert [line.text for line in cases.thread(threaded)] == ["text a", "text b"]
    # once the case is closed, the same sender opens a new one
    cases.close(threaded, actor=member_a, outcome="done")
    body = _body("d", "again", "+919876543210")
    _post(channel, body, **_signed(body))
    assert Case.objects.count() == 3


def test_the_number_is_never_stored(channel, sms_on):
    body = _body("m-9", "no number here", "+919812345678")
    _post(channel, body, **_signed(body))
    assert _tables_holding("919812345678", "9812345678") == []
    assert len(SmsMessage.objects.get().sender_hash) == 64


def test_a_bad_signature_or_body_writes_nothing(channel, sms_on):
    body = _body()
    response = _post(channel, body, **_signed(body, key="wrong"))
    assert response.status_code == 401
    assert "wrong signing key" in response.json()["detail"]
    stale = _signed(body, timestamp=int(time.time()) - 3600)
    assert _post(channel, body, **stale).status_code == 401
    assert _post(channel, body).status_code == 401
    bad = b'{"event": "sms:received", "payload": {}}'
    response = _post(channel, bad, **_signed(bad))
    assert response.status_code == 400
    assert "payload.sender" in response.json()["detail"]
    assert not Case.objects.exists()
    assert not Message.objects.exists()


def test_the_webhook_is_off_without_a_key(channel, settings):
    settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY = ""
    body = _body()
    assert _post(channel, body, **_signed(body)).status_code == 404


def test_purging_a_case_empties_the_number_s_hash(channel, sms_on, member_a):
    import datetime

    from django.utils import timezone

    body = _body()
    _post(channel, body, **_signed(body))
    case = Case.objects.get()
    cases.close(case, actor=member_a, outcome="done")
    upkeep.purge_expired(today=timezone.localdate() + datetime.timedelta(days=365))
    assert SmsMessage.objects.get().sender_hash == ""
