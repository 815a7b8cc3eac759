"""The Twilio-compatible and Africa's Talking adapters: their inbound webhooks on the real test
cases of nyaruka/courier (signatures valid, invalid and missing; bad sender, bad date, media,
empty forms → a 4xx naming what is wrong, never a 500) and their sending APIs on a fake gateway
on loopback."""

import base64
import json
from urllib.parse import parse_qs

import pytest
from django.test import Client

from oretrace.grievances.choices import OutboundStatus
from oretrace.grievances.models import Case, OutboundSms, SmsMessage
from oretrace.grievances.services import cases, outbound
from oretrace.grievances.services import sms as sms_services
from oretrace.grievances.sms import (
    SendFailed,
    SendRefused,
    SignatureInvalid,
    africastalking,
    twilio,
)
from oretrace.grievances.tests import fake_gateway

pytestmark = pytest.mark.django_db

TOKEN = "twilio-auth-token"
AT_KEY = "callback-secret"
BASE = "http://testserver-public.example"
COURIER = "sms/nyaruka_courier/handlers"


def _cases(shared_data, name):
    path = shared_data / COURIER / name
    return {case["label"]: case for case in json.loads(path.read_text())}


@pytest.fixture
def twilio_cases(shared_data):
    return _cases(shared_data, "twiml/testdata/tw_incoming.json")


@pytest.fixture
def at_cases(shared_data):
    return _cases(shared_data, "africastalking/testdata/incoming.json")


@pytest.fixture
def gateways_on(settings):
    settings.ORETRACE_BASE_URL = BASE
    settings.ORETRACE_GRIEVANCE_SMS_TWILIO_AUTH_TOKEN = TOKEN
    settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_WEBHOOK_KEY = AT_KEY


def _twilio_post(channel, data: str, *, sign=True, signature=None):
    path = f"/voice/{channel.slug}/sms/twilio/"
    body = data.encode()
    headers: dict[str, str] = {}
    if sign:
        fields = [(k, v[0]) for k, v in parse_qs(data, keep_blank_values=True).items()]
        headers["X-Twilio-Signature"] = signature or twilio.signature(TOKEN, BASE + path, fields)
    return Client().post(
        path, body, content_type="application/x-www-form-urlencoded", headers=headers
    )


def _at_post(channel, data: str, key=AT_KEY):
    query = f"?key={key}" if key else ""
    return Client().post(
        f"/voice/{channel.slug}/sms/africastalking/{query}",
        data.encode(),
        content_type="application/x-www-form-urlencoded",
    )


# --- Twilio-compatible: inbound -----------------------------------------------------------
def test_the_signature_follows_twilio_s_documented_example():
    # Twilio's security page: this URL, these fields and this token sign to this value.
    fields = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio.signature("12345", url, fields) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_a_valid_twilio_webhook_files_one_case(channel, gateways_on, twilio_cases):
    data = twilio_cases["Receive Valid"]["data"]
    response = _twilio_post(channel, data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response/>" in response.content
    assert _twilio_post(channel, data).status_code == 200  # Twilio's retry
    case = Case.objects.get()
    assert [line.text for line in cases.thread(case)] == ["Msg"]
    assert SmsMessage.objects.get().external_id == "SMe287d7109a5a925f182f0e07fe5b223b"


@pytest.mark.parametrize(
    ("label", "signature", "detail"),
    [
        ("Receive Invalid Signature", "invalidsig", "does not match"),
        ("Receive Missing Signature", "", "is required"),
    ],
)
def test_a_badly_signed_twilio_webhook_is_refused(
    channel, gateways_on, twilio_cases, label, signature, detail
):
    case = twilio_cases[label]
    assert case["response"]["status"] == 401  # as courier answers it
    response = _twilio_post(
        channel, case["data"], sign=bool(signature), signature=signature or None
    )
    assert response.status_code == 401
    assert detail in response.json()["detail"]
    assert not Case.objects.exists()


def test_a_signature_for_another_url_is_refused(channel, gateways_on, twilio_cases, settings):
    data = twilio_cases["Receive Valid"]["data"]
    settings.ORETRACE_BASE_URL = "https://elsewhere.example"  # the request was signed for BASE
    response = _twilio_post(channel, data)
    assert response.status_code == 401
    assert "ORETRACE_BASE_URL" in response.json()["detail"]


def test_twilio_payloads_get_a_4xx_naming_the_fault(channel, gateways_on, twilio_cases):
    no_params = _twilio_post(channel, twilio_cases["Receive No Params"]["data"])
    assert no_params.status_code == 400
    assert "MessageSid" in no_params.json()["detail"]
    media = _twilio_post(channel, twilio_cases["Receive Media"]["data"])
    assert media.status_code == 400
    assert "2 media item(s) and no text" in media.json()["detail"]
    assert not Case.objects.exists()


def test_twilio_media_with_text_keeps_the_text_only(channel, gateways_on, twilio_cases):
    response = _twilio_post(channel, twilio_cases["Receive Media With Msg"]["data"])
    assert response.status_code == 200
    assert [line.text for line in cases.thread(Case.objects.get())] == ["Msg"]


def test_every_recorded_twilio_case_is_answered_without_a_server_error(
    channel, gateways_on, twilio_cases
):
    for label, case in twilio_cases.items():
        for sign in (True, False):
            response = _twilio_post(channel, case["data"], sign=sign)
            assert response.status_code < 500, label


def test_twilio_refuses_a_sender_that_is_not_a_number(channel, gateways_on, twilio_cases):
    data = twilio_cases["Receive Valid"]["data"].replace("From=%2B14133881111", "From=MTN")
    response = _twilio_post(channel, data)
    assert response.status_code == 400
    assert "From: 'MTN' is not a phone number" in response.json()["detail"]


def test_twilio_refuses_another_account(channel, gateways_on, twilio_cases, settings):
    settings.ORETRACE_GRIEVANCE_SMS_TWILIO_ACCOUNT_SID = "AC-ours"
    response = _twilio_post(channel, twilio_cases["Receive Valid"]["data"])
    assert response.status_code == 400
    assert "AccountSid 'acctid'" in response.json()["detail"]


def test_the_twilio_webhook_is_off_without_a_token(channel, settings, twilio_cases):
    settings.ORETRACE_GRIEVANCE_SMS_TWILIO_AUTH_TOKEN = ""
    assert _twilio_post(channel, twilio_cases["Receive Valid"]["data"]).status_code == 404


def test_twilio_verify_refuses_a_wrong_token():
    fields = [("MessageSid", "SM1"), ("Body", "x")]
    good = twilio.signature(TOKEN, "https://a/b", fields)
    body = b"MessageSid=SM1&Body=x"
    twilio.verify(token=TOKEN, url="https://a/b", body=body, signature_header=good)
    with pytest.raises(SignatureInvalid):
        twilio.verify(token="other", url="https://a/b", body=body, signature_header=good)


# --- Africa's Talking: inbound ------------------------------------------------------------
@pytest.mark.parametrize("label", ["Receive Valid", "Receive Valid With Alt Date Format"])
def test_a_valid_africastalking_callback_files_one_case(channel, gateways_on, at_cases, label):
    data = at_cases[label]["data"]
    assert _at_post(channel, data).json()["status"] == "received"
    assert _at_post(channel, data).json()["status"] == "duplicate"
    case = Case.objects.get()
    assert [line.text for line in cases.thread(case)] == ["Msg"]


@pytest.mark.parametrize(
    ("label", "detail"),
    [
        ("Receive Empty", "field(s) required: id, text, from, to, date"),
        ("Receive Missing Text", "field(s) required: text"),
        ("Invalid URN", "from: 'MTN' is not a phone number"),
        ("Invalid Date", "date: '2017-05-03T06:04' is not a date"),
    ],
)
def test_africastalking_payloads_get_a_4xx_naming_the_fault(
    channel, gateways_on, at_cases, label, detail
):
    case = at_cases[label]
    assert case["response"]["status"] == 400  # as courier answers it
    response = _at_post(channel, case["data"])
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("key", ["", "wrong"])
def test_an_africastalking_callback_without_our_key_is_refused(channel, gateways_on, at_cases, key):
    response = _at_post(channel, at_cases["Receive Valid"]["data"], key=key)
    assert response.status_code == 401
    assert "?key=" in response.json()["detail"]
    assert not Case.objects.exists()


def test_the_africastalking_callback_is_off_without_a_key(channel, settings, at_cases):
    settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_WEBHOOK_KEY = ""
    assert _at_post(channel, at_cases["Receive Valid"]["data"]).status_code == 404


def test_every_recorded_africastalking_case_is_answered_without_a_server_error(
    channel, gateways_on, at_cases
):
    for label, case in at_cases.items():
        assert _at_post(channel, case["data"]).status_code < 500, label


def test_africastalking_verify():
    africastalking.verify(key="k", given="k")
    with pytest.raises(SignatureInvalid):
        africastalking.verify(key="k", given="x")


# --- sending --------------------------------------------------------------------------------
@pytest.fixture
def fake(settings):
    with fake_gateway.running() as gateway:
        fake_gateway.send_through(settings, gateway, twilio_token=TOKEN)
        settings.ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_FROM = "21512"
        yield gateway


def _deliver(channel, reference="r-1"):
    row = sms_services.send_sms(channel, to="+254791541111", text="Asante", reference=reference)
    outbound.deliver_outbound(row.pk)
    row.refresh_from_db()
    return row


def test_twilio_sends_through_the_messages_api(channel, fake, settings):
    settings.ORETRACE_GRIEVANCE_SMS_GATEWAY = "twilio"
    fake.default = (201, b'{"sid": "SM0123", "status": "queued"}')
    row = _deliver(channel)
    assert (row.gateway, row.status, row.gateway_id) == ("twilio", OutboundStatus.SENT, "SM0123")
    sent = fake.requests[0]
    assert sent.path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert (
        sent.headers["authorization"]
        == "Basic " + base64.b64encode(f"AC123:{TOKEN}".encode()).decode()
    )
    assert parse_qs(sent.body.decode()) == {
        "To": ["+254791541111"],
        "From": ["+15005550006"],
        "Body": ["Asante"],
    }


def test_twilio_refusal_and_busy(channel, fake, settings):
    settings.ORETRACE_GRIEVANCE_SMS_GATEWAY = "twilio"
    fake.answers = [(400, b'{"code": 21211, "message": "invalid To"}'), (429, b"{}")]
    assert _deliver(channel, "a").status == OutboundStatus.FAILED
    busy = _deliver(channel, "b")
    assert busy.status == OutboundStatus.QUEUED
    assert "HTTP 429" in busy.last_error


def test_africastalking_sends_through_its_sms_api(channel, fake, settings):
    settings.ORETRACE_GRIEVANCE_SMS_CHANNEL_GATEWAYS = (
        f"other=android,{channel.slug}=africastalking"
    )
    fake.default = (
        201,
        json.dumps(
            {
                "SMSMessageData": {
                    "Message": "Sent to 1/1 Total Cost: KES 0.8000",
                    "Recipients": [
                        {
                            "statusCode": 101,
                            "number": "+254791541111",
                            "status": "Success",
                            "cost": "KES 0.8000",
                            "messageId": "ATXid_dda018a640edfcc5d2ce455de3e4a6e7",
                        }
                    ],
                }
            }
        ).encode(),
    )
    row = _deliver(channel)
    assert row.gateway == "africastalking"
    assert row.gateway_id == "ATXid_dda018a640edfcc5d2ce455de3e4a6e7"
    sent = fake.requests[0]
    assert sent.path == "/version1/messaging"
    assert sent.headers["apikey"] == "at-api-key"
    assert parse_qs(sent.body.decode()) == {
        "username": ["sandbox"],
        "to": ["+254791541111"],
        "message": ["Asante"],
        "from": ["21512"],
    }


@pytest.mark.parametrize(
    ("code", "error"),
    [(403, SendRefused), (406, SendRefused), (405, SendFailed), (500, SendFailed)],
)
def test_africastalking_recipient_codes(code, error):
    body = json.dumps(
        {"SMSMessageData": {"Recipients": [{"statusCode": code, "status": "X"}]}}
    ).encode()
    with pytest.raises(error, match=f"\\({code}\\)"):
        africastalking.sent_id(201, body)


def test_africastalking_answer_without_recipients_may_pass():
    with pytest.raises(SendFailed, match="without a recipient"):
        africastalking.sent_id(201, b'{"SMSMessageData": {"Recipients": []}}')


def test_an_unknown_gateway_is_given_up(channel, settings):
    settings.ORETRACE_GRIEVANCE_SMS_GATEWAY = "smpp"
    row = _deliver(channel)
    assert row.status == OutboundStatus.FAILED
    assert "'smpp' is not an SMS gateway" in row.last_error
    assert OutboundSms.objects.get().sealed_to == b""
