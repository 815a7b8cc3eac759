"""Notifications in a real Chromium: an administrator invites a colleague; the colleague joins
and finds a welcome under the bell (on a 390 px phone, in Hindi: one line, no sideways scroll),
opens it, marks everything read; the administrator's bell says the colleague joined, and the
worker mailed that notice to the administrator at once.

Run with ``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser``
``tests/browser/test_notifications.py``.

The selectors other browser tests may use: ``#notification-bell`` (the bell, a link to
``web:notifications``), ``#notification-count`` (the unread count, absent when none),
``#notification-list li.notification`` (one per notification, ``.unread`` until read, its text
in ``.notification-text``), ``#notifications-read-all`` (the "Mark all read" button).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import PHONE, mail_to, sideways

pytestmark = pytest.mark.browser

ADMIN = "compliance@brightline.example"
COLLEAGUE = "noor@brightline.example"
PASSWORD = "Notify-colleague-2026!"


def test_the_invited_colleague_sees_a_notification_and_the_administrator_hears_they_joined(
    open_session: Callable[[str], Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    admin = open_session("notify-admin", as_user=ADMIN)
    page = admin.page
    worker_log = admin.stack.data_dir / "worker.log"
    mark = len(worker_log.read_text(errors="replace"))
    link = admin.invite(COLLEAGUE)

    # The colleague joins on a phone, reading Hindi.
    colleague = open_session("notify-colleague")
    cpage = colleague.page
    cpage.set_viewport_size(PHONE)
    colleague.goto(link)
    cpage.get_by_label("Your name").fill("Noor Colleague")
    cpage.get_by_label("Password", exact=True).fill(PASSWORD)
    cpage.get_by_label("Password again").fill(PASSWORD)
    cpage.get_by_role("button", name="Create my account and join").click()
    colleague.goto("/login/")
    cpage.get_by_label("E-mail address").fill(COLLEAGUE)
    cpage.get_by_label("Password").fill(PASSWORD)
    cpage.get_by_role("button", name="Log in").click()
    expect(cpage.locator("#notification-count")).to_have_text("1")
    colleague.goto("/account/")
    cpage.locator("#id_language").select_option("hi")
    cpage.locator("#preferences button[type=submit]").click()
    expect(cpage.locator("html")).to_have_attribute("lang", "hi")

    # The bell sits in the one-line top bar; the page does not scroll sideways.
    bar = cpage.locator("header.top").bounding_box()
    assert bar is not None
    assert bar["height"] <= PHONE["height"] / 10, bar
    bell = cpage.locator("#notification-bell")
    expect(bell).to_be_visible()
    bell.click()
    expect(cpage).to_have_url(colleague.stack.url("/notifications/"))
    item = cpage.locator("#notification-list li.notification.unread")
    expect(item).to_have_count(1)
    expect(item.locator(".notification-text")).to_contain_text("Brightline")
    expect(item.locator(".notification-text")).to_contain_text("स्वागत")  # in Hindi
    assert sideways(cpage) <= 0
    cpage.screenshot(path=artifacts / "notifications-phone-hi.png", full_page=True)
    cpage.locator("#notifications-read-all").click()
    expect(cpage.locator("#notification-count")).to_have_count(0)
    expect(cpage.locator("#notification-list li.notification.unread")).to_have_count(0)
    colleague.goto("/account/")
    assert sideways(cpage) <= 0
    assert colleague.csp_violations() == []
    assert colleague.console_errors == [], colleague.console_errors

    # The administrator's bell says the colleague joined, and the worker mailed it.
    admin.goto("/notifications/")
    expect(page.locator("#notification-list")).to_contain_text("Noor Colleague")
    expect(page.locator("#notification-count")).not_to_have_count(0)
    mail = mail_to(worker_log, ADMIN, mark, re.escape("Noor Colleague")).string
    assert "/organisation/" in mail
    page.screenshot(path=artifacts / "notifications-desktop.png", full_page=True)
