"""The SMS webhooks' own handler (``oretrace.webhooks``, ADR 0009): only the webhook paths, the
same signature checks and inbox, a duplicate absorbed, bodies over 64 KB refused before they are
read, the security headers and host check kept, no cookie, nothing about the sender logged; and
the lock a filing takes on its channel leaves the webhooks' inserts alone."""

from __future__ import annotations

import io
import logging
import threading
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, connections, transaction

from oretrace import cli, webhooks
from oretrace.grievances.models import Case, SmsInbox, SmsMessage
from oretrace.grievances.services import filing, inbox
from oretrace.grievances.services import sms as sms_services
from oretrace.grievances.sms import InboundSms
from oretrace.grievances.tests.test_sms import KEY, _body, _signed

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.23"
AGENT = "KaiOS-Agent/9"


@pytest.fixture
def handler(settings):
    """The webhook handler, called as gunicorn calls it, inside the test's transaction (the
    request signals' connection upkeep is off, as Django's own test client does)."""
    settings.ORETRACE_GRIEVANCE_SMS_ANDROID_KEY = KEY
    settings.ALLOWED_HOSTS = ["sms.example.org"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield webhooks.WebhookHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _call(application, path, body=b"", headers=None, host="sms.example.org", length=None):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "sms.example.org",
        "SERVER_PORT": "443",
        "HTTP_HOST": host,
        "REMOTE_ADDR": ADDRESS,
        "HTTP_USER_AGENT": AGENT,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body) if length is None else length),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "https",
        **(headers or {}),
    }
    answered: dict[str, object] = {}

    def start_response(status, response_headers):
        answered["status"] = int(status.split()[0])
        answered["headers"] = dict(response_headers)

    content = b"".join(application(environ, start_response))
    return answered["status"], answered["headers"], content


def _android(channel, handler, message_id="m-1", text="पानी नहीं है", **signed):
    body = _body(message_id, text)
    return _call(handler, f"/voice/{channel.slug}/sms/android/", body, _signed(body, **signed))


def test_a_webhook_is_filed_once_and_its_duplicate_absorbed(channel, handler):
    for _delivery in range(3):
        status, _headers, content = _android(channel, handler)
        assert (status, content) == (200, b'{"status": "received"}') or (
            status == 200 and content == b'{"status": "duplicate"}'
        )
    assert SmsMessage.objects.count() == 1
    assert Case.objects.count() == 1


def test_with_the_inbox_on_a_duplicate_inserts_nothing(channel, handler, settings):
    settings.ORETRACE_GRIEVANCE_SMS_INBOX = True
    answers = [_android(channel, handler)[2] for _delivery in range(3)]
    assert answers == [b'{"status": "queued"}'] * 3
    assert SmsInbox.objects.count() == 1
    filing.file_all()
    assert _android(channel, handler)[2] == b'{"status": "queued"}'  # after the filing too
    filing.file_all()
    assert SmsMessage.objects.count() == 1
    assert not SmsInbox.objects.exists()


def test_the_signature_is_checked(channel, handler):
    status, _headers, content = _android(channel, handler, key="not-the-key")
    assert status == 401
    assert b"X-Signature does not match" in content
    status, _headers, content = _android(channel, handler, timestamp=1)
    assert status == 401
    assert not SmsMessage.objects.exists()


def test_a_body_over_64_kb_is_refused_before_it_is_read(channel, handler):
    body = _body("m-1", "x" * (64 * 1024))
    status, _headers, content = _call(
        handler, f"/voice/{channel.slug}/sms/android/", body, _signed(body)
    )
    assert status == 413
    assert b"64 KB" in content
    # refused on its Content-Length alone: the handler never reads it
    status, _headers, _content = _call(
        handler, f"/voice/{channel.slug}/sms/android/", b"", length=10_000_000
    )
    assert status == 413
    status, _headers, _content = _call(
        handler, f"/voice/{channel.slug}/sms/android/", b"", length="many"
    )
    assert status == 400
    assert not SmsMessage.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/voice/alpha-voice/",
        "/voice/alpha-voice/follow/",
        "/voice/alpha-voice/sms/nokia/",
        "/grievances/",
        "/admin/",
        "/api/v1/grievances/",
        "/voice/alpha-voice/sms/android/extra/",
    ],
)
def test_other_paths_are_not_served(channel, handler, path):
    status, headers, content = _call(handler, path, b"{}")
    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert b"no webhook at this address" in content


def test_an_unknown_channel_or_an_unconfigured_gateway_is_a_404(channel, handler, settings):
    assert _call(handler, "/voice/no-such-channel/sms/android/", b"{}")[0] == 404
    settings.ORETRACE_GRIEVANCE_SMS_TWILIO_AUTH_TOKEN = ""
    assert _call(handler, f"/voice/{channel.slug}/sms/twilio/", b"{}")[0] == 404


def test_security_headers_and_the_host_check_stay_and_no_cookie_is_set(channel, handler):
    status, headers, _content = _android(channel, handler)
    assert status == 200
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Set-Cookie" not in headers
    assert "Cookie" not in headers.get("Vary", "")
    body = _body("m-2", "text")
    status, _headers, _content = _call(
        handler, f"/voice/{channel.slug}/sms/android/", body, _signed(body), host="evil.example"
    )
    assert status == 400
    assert not SmsMessage.objects.filter(external_id__endswith="m-2").exists()


def test_nothing_about_the_sender_is_logged(channel, handler, caplog):
    caplog.set_level(logging.DEBUG)
    _android(channel, handler)
    _android(channel, handler, key="not-the-key")
    _call(handler, "/voice/no-such-channel/sms/android/", b"{}")
    logged = caplog.text + " ".join(str(record.__dict__) for record in caplog.records)
    assert ADDRESS not in logged
    assert AGENT not in logged
    assert "9876543210" not in logged  # the sender's number (test_sms._body)


def test_the_webhook_skips_the_per_request_health_check_of_its_connection(
    channel, handler, monkeypatch
):
    database: Any = connections["default"]  # the wrapper itself, not the proxy
    checks: list[int] = []

    def usable() -> bool:
        checks.append(1)
        return True

    monkeypatch.setattr(database, "is_usable", usable)
    enabled = database.health_check_enabled
    database.health_check_enabled, database.health_check_done = True, False
    try:
        assert _android(channel, handler)[0] == 200
        assert checks == []
        database.health_check_done = False  # a page of the site: Django checks, once
        with database.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert checks == [1]
    finally:
        database.health_check_enabled, database.health_check_done = enabled, False


def test_the_dispatcher_sends_only_the_webhook_paths_to_the_webhook_handler():
    served = []

    def site(environ, start_response):
        served.append(("site", environ["PATH_INFO"]))
        return [b""]

    def hooks(environ, start_response):
        served.append(("webhooks", environ["PATH_INFO"]))
        return [b""]

    application = webhooks.dispatching(site, hooks)
    for path in (
        "/voice/alpha/sms/android/",
        "/voice/alpha/sms/twilio/",
        "/voice/alpha/",
        "/voice/alpha/sms/android/x/",
        "/grievances/",
        "/voice/al pha/sms/android/",
    ):
        application({"PATH_INFO": path}, None)
    assert served == [
        ("webhooks", "/voice/alpha/sms/android/"),
        ("webhooks", "/voice/alpha/sms/twilio/"),
        ("site", "/voice/alpha/"),
        ("site", "/voice/alpha/sms/android/x/"),
        ("site", "/grievances/"),
        ("site", "/voice/al pha/sms/android/"),
    ]


def test_the_handler_keeps_the_site_middleware_setting_as_it_was(settings, handler):
    assert "django.contrib.sessions.middleware.SessionMiddleware" in settings.MIDDLEWARE
    assert handler._middleware_chain is not None


def test_the_worker_takes_a_nice_level_from_0_to_19(monkeypatch):
    assert cli._parser().parse_args(["worker", "--nice", "19"]).nice == 19
    assert cli._parser().parse_args(["worker"]).nice == 0
    for bad in ("20", "-1", "low"):
        with pytest.raises(SystemExit):
            cli._parser().parse_args(["worker", "--nice", bad])
    lowered: list[int] = []
    monkeypatch.setattr("os.nice", lowered.append)
    monkeypatch.setattr(cli, "_django", lambda: None)
    monkeypatch.setattr(cli, "_manage", lambda *args, **kwargs: None)
    monkeypatch.setattr("oretrace.core.jobs.start_watchdog", lambda: None)
    cli.cmd_worker(cli._parser().parse_args(["worker", "--nice", "10", "--batch"]))
    assert lowered == [10]


@pytest.mark.django_db(transaction=True)
def test_a_filing_in_progress_does_not_hold_up_the_webhooks_inserts(channel, monkeypatch):
    """While the worker files a batch (its transaction holding the channel's row lock until it
    commits), a webhook's inbox row for the same channel goes in at once. On PostgreSQL, where
    the lock is a row lock."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: run on PostgreSQL")
    # the row stays in the inbox (no filing task run in the test's thread)
    monkeypatch.setattr("oretrace.grievances.services.outbound.start_filing", lambda: None)
    holding, release = threading.Event(), threading.Event()

    def file_and_hold() -> None:
        try:
            with transaction.atomic():
                sms_services.receive_sms(channel, InboundSms("android", "a", "+919800000001", "x"))
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    worker = threading.Thread(target=file_and_hold)
    worker.start()
    try:
        assert holding.wait(30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            inbox.take_in(channel, InboundSms("android", "b", "+919800000002", "y"))
    finally:
        release.set()
        worker.join()
    assert SmsInbox.objects.filter(external_id="b").exists()


@pytest.mark.parametrize(("chosen", "dispatched"), [("slim", "True"), ("full", "False")])
def test_the_wsgi_application_dispatches_unless_the_full_handler_is_chosen(
    tmp_path, chosen, dispatched
):
    import os
    import subprocess
    import sys

    probe = "import oretrace.wsgi as w; print(w.application is not w.site_application)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "ORETRACE_DATA_DIR": str(tmp_path),
            "ORETRACE_SMS_WEBHOOK_HANDLER": chosen,
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [dispatched]
