"""Accounts as OWASP ASVS level 2 asks: throttled logins, timeouts, rate-limited resets, 2FA."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from oretrace.core import accounts
from oretrace.core.choices import Role
from oretrace.core.models import PasswordResetRequest
from oretrace.core.tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from oretrace.core.tests.fixtures import web_client
from oretrace.web import sessions

pytestmark = pytest.mark.django_db


def _log_in(client: Client, email: str, password: str, **extra: Any):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


# --- login throttling ------------------------------------------------------------------------
def test_sixth_wrong_password_is_refused_and_every_failure_logged(member_a, caplog):
    client = Client()
    email = member_a.user.email
    statuses = [_log_in(client, email, f"wrong-{n}").status_code for n in range(6)]
    # given five free tries, the fifth failure locks, and the sixth attempt is refused
    assert statuses[:4] == [200] * 4
    assert statuses[4:] == [429, 429]
    assert AccessFailureLog.objects.filter(username=email).count() == 6
    assert AccessAttempt.objects.get(username=email).failures_since_start >= 5
    assert "too many failed attempts" in caplog.text
    # the right password no longer opens the account while it is locked
    locked = _log_in(Client(), email, TEST_PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert SESSION_KEY not in client.session


def test_lockout_counts_the_account_whatever_its_case(member_a):
    email = member_a.user.email
    for n in range(5):
        address = f"198.51.100.{n}"  # a different address each time: only the account counts
        _log_in(Client(), email.upper() if n % 2 else email, "wrong", REMOTE_ADDR=address)
    assert _log_in(Client(), email, TEST_PASSWORD, REMOTE_ADDR="198.51.100.99").status_code == 429


def test_lockout_counts_the_address_across_accounts(org_a):
    users = [UserFactory.create() for _ in range(5)]
    for user in users:
        _log_in(Client(), user.email, "wrong", REMOTE_ADDR="192.0.2.7")
    other = UserFactory.create()
    assert _log_in(Client(), other.email, TEST_PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 429
    # the same account from another address still logs in
    ok = _log_in(Client(), other.email, TEST_PASSWORD, REMOTE_ADDR="192.0.2.8")
    assert ok.status_code == 302


def test_lockout_page_is_translated(member_a):
    client = Client()
    for _ in range(5):
        response = _log_in(client, member_a.user.email, "wrong", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 429
    assert "Trop de connexions" in response.content.decode()


@override_settings(AXES_FAILURE_LIMIT=2)
def test_failure_limit_is_a_setting(member_a):
    client = Client()
    assert _log_in(client, member_a.user.email, "wrong").status_code == 200
    assert _log_in(client, member_a.user.email, "wrong").status_code == 429


def test_admin_login_is_the_throttled_web_login(member_a):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=%2Fadmin%2F"
    posted = Client().post("/admin/login/", {"username": member_a.user.email, "password": "x"})
    assert posted.status_code == 302
    assert not AccessFailureLog.objects.exists()  # nothing was checked there: no password taken


def test_logged_in_non_staff_is_told_so_by_the_admin(web_a):
    response = web_a.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "may not use the admin site" in response.content.decode()


def test_forwarded_address_counts_only_behind_a_proxy(member_a):
    from django.test import RequestFactory

    from oretrace.web.auth import client_address

    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.9.8.7")
    assert client_address(request) == "127.0.0.1"
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        assert client_address(request) == "10.9.8.7"  # the hop the proxy appended


# --- password reset --------------------------------------------------------------------------
def test_second_reset_mail_within_the_window_is_not_sent(member_a, mailoutbox):
    client = Client()
    pages = [
        client.post(reverse("password_reset"), {"email": member_a.user.email}) for _ in range(10)
    ]
    assert len(mailoutbox) == 1
    # every answer is the same redirect: nobody learns whether a mail went out
    assert {(p.status_code, p["Location"]) for p in pages} == {
        (302, reverse("password_reset_done"))
    }
    assert PasswordResetRequest.objects.filter(sent=False).count() == 9


def test_reset_requests_per_address_are_limited(mailoutbox):
    people = [UserFactory.create() for _ in range(7)]
    for person in people:
        Client().post(reverse("password_reset"), {"email": person.email}, REMOTE_ADDR="192.0.2.1")
    assert len(mailoutbox) == 5  # ORETRACE_PASSWORD_RESET_PER_ADDRESS
    Client().post(reverse("password_reset"), {"email": people[6].email}, REMOTE_ADDR="192.0.2.2")
    assert len(mailoutbox) == 6


def test_unknown_address_gets_the_same_answer(mailoutbox):
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []
    row = PasswordResetRequest.objects.get()
    assert "nobody" not in row.email_hash  # only a fingerprint of the address is kept


def test_a_new_password_through_the_mail_lifts_the_account_lockout(member_a, mailoutbox):
    email = member_a.user.email
    for n in range(5):
        _log_in(Client(), email, "wrong", REMOTE_ADDR=f"198.51.100.{n}")
    client = Client()
    client.post(reverse("password_reset"), {"email": email})
    match = re.search(r"http://testserver(/password-reset/\S+/)", mailoutbox[0].body)
    assert match is not None
    link = match.group(1)
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "mica-village-2031", "new_password2": "mica-village-2031"},
    )
    assert (
        _log_in(Client(), email, "mica-village-2031", REMOTE_ADDR="203.0.113.1").status_code == 302
    )


# --- session timeouts ------------------------------------------------------------------------
def _moved_clock(monkeypatch, start: float):
    clock = {"now": start}
    monkeypatch.setattr(sessions, "now", lambda: clock["now"])
    return clock


def test_idle_session_ends_after_thirty_minutes(member_a, monkeypatch):
    clock = _moved_clock(monkeypatch, 1_000_000.0)
    client = Client()
    assert _log_in(client, member_a.user.email, TEST_PASSWORD).status_code == 302
    clock["now"] += 29 * 60
    assert client.get(reverse("web:dashboard")).status_code == 200  # activity: still in
    clock["now"] += 29 * 60
    assert client.get(reverse("web:dashboard")).status_code == 200
    clock["now"] += 31 * 60
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"]).content.decode()
    assert "without activity" in page


def test_session_ends_twelve_hours_after_login_however_active(member_a, monkeypatch):
    clock = _moved_clock(monkeypatch, 2_000_000.0)
    client = Client()
    _log_in(client, member_a.user.email, TEST_PASSWORD)
    for _ in range(12 * 4 + 1):  # a request every 15 minutes, for just over 12 hours
        clock["now"] += 15 * 60
        last = client.get(reverse("web:dashboard"))
    assert last.status_code == 302
    assert "longest allowed length" in client.get(last["Location"]).content.decode()


@override_settings(ORETRACE_SESSION_IDLE_MINUTES=5)
def test_idle_timeout_is_a_setting(member_a, monkeypatch):
    clock = _moved_clock(monkeypatch, 3_000_000.0)
    client = web_client(member_a)
    assert client.get(reverse("web:dashboard")).status_code == 200
    clock["now"] += 6 * 60
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_idle_session_no_longer_reaches_the_api(member_a, monkeypatch):
    clock = _moved_clock(monkeypatch, 4_000_000.0)
    client = Client()
    _log_in(client, member_a.user.email, TEST_PASSWORD)
    assert client.get("/api/v1/me").status_code == 200
    clock["now"] += 31 * 60
    assert client.get("/api/v1/me").status_code == 401


# --- second factor ---------------------------------------------------------------------------
def _code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += steps_ahead * device.step
    return f"{totp.token():06d}"


def _enrol(client: Client) -> tuple[TOTPDevice, list[str]]:
    client.post(reverse("two_factor"), {"action": "start"})
    device = TOTPDevice.objects.get(confirmed=False)
    page = client.post(reverse("two_factor"), {"action": "confirm", "code": _code(device)})
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())
    device.refresh_from_db()
    return device, codes


@override_settings(ORETRACE_REQUIRE_2FA=True, DEBUG=False)
def test_production_sends_an_organisation_admin_to_enrolment_before_anything(member_a):
    client = Client()
    response = _log_in(client, member_a.user.email, TEST_PASSWORD)
    dashboard = client.get(response["Location"])
    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith(reverse("two_factor"))
    for path in ("/", "/jobs/", "/tokens/", "/facilities/", "/admin/"):
        assert client.get(path)["Location"].startswith(reverse("two_factor")), path
    assert client.get("/api/v1/me").status_code == 401  # nor through the API with the session
    page = client.get(reverse("two_factor")).content.decode()
    assert "needs a second factor" in page
    assert "optional on this site" not in page
    _device, codes = _enrol(client)
    assert len(codes) == 10
    assert client.get("/").status_code == 200  # the session is verified by the enrolment


# django-otp makes each wrong code double the wait before the next try; without the wait here.
NO_CODE_WAIT = {"OTP_TOTP_THROTTLE_FACTOR": 0, "OTP_STATIC_THROTTLE_FACTOR": 0}


@override_settings(ORETRACE_REQUIRE_2FA=True, DEBUG=False, **NO_CODE_WAIT)
def test_production_requires_a_code_from_staff_at_each_login():
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    client = Client()
    _log_in(client, staff.email, TEST_PASSWORD)
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor"))
    device, codes = _enrol(client)
    assert client.get("/admin/").status_code == 200
    # a new login asks for the code first, the admin site included
    second = Client()
    _log_in(second, staff.email, TEST_PASSWORD)
    assert second.get("/admin/")["Location"].startswith(reverse("login_verify"))
    wrong = second.post(reverse("login_verify"), {"code": "000000", "next": "/admin/"})
    assert "not valid" in wrong.content.decode()
    ok = second.post(
        reverse("login_verify"), {"code": _code(device, steps_ahead=1), "next": "/admin/"}
    )
    assert ok["Location"] == "/admin/"
    assert second.get("/admin/").status_code == 200
    # a backup code works once
    third = Client()
    _log_in(third, staff.email, TEST_PASSWORD, REMOTE_ADDR="192.0.2.3")
    assert third.post(reverse("login_verify"), {"code": codes[0]}).status_code == 302
    fourth = Client()
    _log_in(fourth, staff.email, TEST_PASSWORD, REMOTE_ADDR="192.0.2.4")
    again = fourth.post(reverse("login_verify"), {"code": codes[0]})
    assert again.status_code == 200


@override_settings(ORETRACE_REQUIRE_2FA=True, DEBUG=False)
def test_production_does_not_require_it_of_other_roles():
    viewer = MembershipFactory.create(roles=[Role.VIEWER, Role.COMPLIANCE_OFFICER])
    client = Client()
    _log_in(client, viewer.user.email, TEST_PASSWORD)
    assert client.get("/").status_code == 200
    assert not accounts.requires_second_factor(viewer.user)


def test_trial_leaves_it_optional_and_says_so(member_a):
    # the test settings are a local trial: ORETRACE_DEBUG on, ORETRACE_REQUIRE_2FA off
    client = Client()
    response = _log_in(client, member_a.user.email, TEST_PASSWORD)
    assert client.get(response["Location"]).status_code == 200
    login_page = Client().get(reverse("login")).content.decode()
    assert "A second factor is optional on this site" in login_page
    page = client.get(reverse("two_factor")).content.decode()
    assert "A second factor is optional on this site" in page
    assert "Set up a second factor" in page


@override_settings(**NO_CODE_WAIT)
def test_anyone_may_enrol_and_then_needs_the_code(member_a):
    viewer = MembershipFactory.create(organisation=member_a.organisation, roles=[Role.VIEWER])
    client = web_client(viewer)
    client.post(reverse("two_factor"), {"action": "start"})
    page = client.get(reverse("two_factor")).content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code, drawn by segno on the server
    assert re.search(r'id="totp-key">[A-Z2-7 ]{20,}<', page)
    device = TOTPDevice.objects.get(user=viewer.user)
    refused = client.post(reverse("two_factor"), {"action": "confirm", "code": "123"})
    assert "not valid" in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    confirmed = client.post(reverse("two_factor"), {"action": "confirm", "code": _code(device)})
    assert "Your backup codes" in confirmed.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    other = Client()
    _log_in(other, viewer.user.email, TEST_PASSWORD)
    assert other.get("/")["Location"].startswith(reverse("login_verify"))


@override_settings(**NO_CODE_WAIT)
def test_disable_needs_a_code_and_is_refused_where_required(member_a):
    client = web_client(member_a)
    device, _codes = _enrol(client)
    refused = client.post(reverse("two_factor"), {"action": "disable", "code": "999999"})
    assert "not valid" in refused.content.decode()
    with override_settings(ORETRACE_REQUIRE_2FA=True):
        kept = client.post(
            reverse("two_factor"), {"action": "disable", "code": _code(device, steps_ahead=1)}
        )
        assert "must keep a second factor" in kept.content.decode()
    assert accounts.has_second_factor(member_a.user)
    client.post(reverse("two_factor"), {"action": "disable", "code": _code(device, steps_ahead=1)})
    assert not accounts.has_second_factor(member_a.user)


def test_password_alone_cannot_replace_the_app(member_a):
    owner = web_client(member_a)
    _enrol(owner)
    thief = Client()
    _log_in(thief, member_a.user.email, TEST_PASSWORD)
    response = thief.post(reverse("two_factor"), {"action": "start"})
    assert response["Location"].startswith(reverse("login_verify"))
    assert TOTPDevice.objects.filter(user=member_a.user).count() == 1


@override_settings(**NO_CODE_WAIT)
def test_new_backup_codes_replace_the_old(member_a):
    client = web_client(member_a)
    device, codes = _enrol(client)
    page = client.post(
        reverse("two_factor"), {"action": "codes", "code": _code(device, steps_ahead=1)}
    ).content.decode()
    fresh = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(fresh) == 10
    assert not set(fresh) & set(codes)
    assert accounts.verify_second_factor(member_a.user, codes[1]) is None
    assert accounts.verify_second_factor(member_a.user, fresh[1]) is not None


@pytest.mark.parametrize("lang", ["fr", "hi"])
def test_security_pages_are_translated(web_a, lang):
    page = web_a.get(reverse("two_factor"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert "Set up a second factor" not in page
    assert mail.outbox == []


# --- defaults of the two modes ---------------------------------------------------------------
def _settings_in(tmp_path, **env: str) -> dict[str, Any]:
    """The account settings as a fresh process reads them from ``env`` (nothing else set)."""
    import json
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if not k.startswith("ORETRACE_")}
    clean.update(ORETRACE_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="oretrace.settings", **env)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.ORETRACE_REQUIRE_2FA, s.ORETRACE_SESSION_IDLE_MINUTES, "
        "s.SESSION_COOKIE_AGE, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds()]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return dict(
        zip(["2fa", "idle", "cookie", "limit", "cooloff"], json.loads(done.stdout), strict=True)
    )


def test_production_requires_2fa_and_the_trial_does_not_by_default(tmp_path):
    production = _settings_in(
        tmp_path,
        ORETRACE_SECRET_KEY="p" * 20 + "Q7w9E2r4T6y8U0i1O3p5A7s9D1f3G5h7J9k",
        ORETRACE_ALLOWED_HOSTS="oretrace.example.org",
    )
    assert production == {"2fa": True, "idle": 30, "cookie": 12 * 3600, "limit": 5, "cooloff": 900}
    trial = _settings_in(tmp_path, ORETRACE_DEBUG="true", ORETRACE_LOGIN_FAILURE_LIMIT="8")
    assert trial["2fa"] is False
    assert trial["limit"] == 8
