"""Worker voice in a real Chromium (issue 20, "Done means"): on a 390 px phone in Hindi, a
worker sends an anonymous report to the Mica Workplace Initiative's channel and gets a
16-digit receipt; the Initiative's grievance officer reads it and replies; the worker comes
back with the receipt, reads the reply and answers; another worker reports by SMS through the
channel's gateway webhook. The database then holds the reporter's user agent, the network
address their browser announced and the SMS sender's phone number nowhere (every column of
every table), and neither do the servers' logs; no grievance table holds the address the
server saw either.

Run with ``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser tests/browser/test_grievances.py``.
Screenshots: ``artifacts/grievance-*.png``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import PHONE, assert_fits, tables_holding

pytestmark = pytest.mark.browser

OFFICER = "grievance@initiative.example"
AGENT = "Mozilla/5.0 (Mobile; KaiOS-WorkerPhone-7731) Gecko/48.0"
REPORT = "छंटाई शेड में पीने का पानी नहीं है और सुपरवाइज़र मज़दूरी काटता है"
ANSWER = "उत्तरी शेड, सुबह की पाली"
# What the worker's phone announces as its address (a proxy would pass it on so): the server
# sees 127.0.0.1 itself, which the grievance tables must not hold either.
ADDRESS = "203.0.113.77"
PROXY_HEADERS = {"X-Forwarded-For": ADDRESS, "X-Real-IP": ADDRESS, "Forwarded": f"for={ADDRESS}"}
SENDER = "+919812345678"
SMS = "गिरिडीह इकाई में रात को आग से बचने का दरवाज़ा बंद रहता है"


def test_a_worker_reports_in_hindi_on_a_phone_and_hears_back_by_receipt(
    browser: Any, oretrace_stack: Any, open_session: Callable[..., Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(
        viewport=PHONE, locale="hi-IN", user_agent=AGENT, extra_http_headers=PROXY_HEADERS
    )
    try:
        worker = context.new_page()
        worker.goto(oretrace_stack.url("/voice/mica-workplace/?lang=hi"))
        expect(worker.locator("html")).to_have_attribute("lang", "hi")
        worker.locator("#id_text").fill(REPORT)
        worker.get_by_role("button", name="शिकायत भेजें").click()
        receipt = worker.locator("#receipt").inner_text().strip()
        assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", receipt), receipt
        assert context.cookies() == []
        assert_fits(worker, "the receipt page")
        worker.screenshot(path=artifacts / "grievance-receipt-hi.png", full_page=True)

        officer = open_session("grievance-officer", as_user=OFFICER)
        officer.goto("/grievances/")
        officer.page.locator("table tbody tr").first.locator("a").first.click()
        expect(officer.page.locator(".thread")).to_contain_text(REPORT)
        officer.page.locator("#id_reply-text").fill("कौन सा शेड? हम कल जाँच करेंगे।")
        officer.page.get_by_role("button", name="Send the reply").click()
        expect(officer.page.locator(".thread")).to_contain_text("कौन सा शेड?")
        officer.page.screenshot(path=artifacts / "grievance-case.png", full_page=True)

        worker.goto(oretrace_stack.url("/voice/mica-workplace/follow/?lang=hi"))
        worker.locator("#id_receipt").fill(receipt)
        worker.get_by_role("button", name="मेरी शिकायत खोलें").click()
        expect(worker.locator(".thread")).to_contain_text("कौन सा शेड?")
        worker.locator("#id_text").fill(ANSWER)
        worker.get_by_role("button", name="मेरा जवाब भेजें").click()
        expect(worker.locator(".thread")).to_contain_text(ANSWER)
        assert context.cookies() == []
        worker.screenshot(path=artifacts / "grievance-thread-hi.png", full_page=True)
    finally:
        context.close()

    officer.page.reload()
    expect(officer.page.locator(".thread")).to_contain_text(ANSWER)
    assert _send_sms(oretrace_stack) == {"status": "received"}
    officer.goto("/grievances/")
    officer.page.locator("table tbody tr").first.locator("a").first.click()
    expect(officer.page.locator(".thread")).to_contain_text(SMS)
    data = oretrace_stack.data_dir
    database = data / "oretrace.sqlite3"
    phone = SENDER.lstrip("+")
    for needle in ("KaiOS-WorkerPhone-7731", ADDRESS, phone, phone[-10:]):
        assert tables_holding(database, needle) == [], needle
        for log in data.glob("*.log"):
            assert needle not in log.read_text(errors="replace"), (needle, log.name)
    seen = [t for t in tables_holding(database, "127.0.0.1") if t.startswith("grievances_")]
    assert seen == []


def _send_sms(stack: Any) -> dict[str, str]:
    """A worker's SMS, as the channel's SMS Gateway for Android posts it (signed)."""
    from browser.conftest import SMS_KEY

    body = json.dumps(
        {
            "deviceId": "browser-phone",
            "event": "sms:received",
            "id": "browser-sms-1",
            "webhookId": "browser",
            "payload": {"messageId": "browser-sms-1", "message": SMS, "sender": SENDER},
        }
    ).encode()
    moment = str(int(time.time()))
    signature = hmac.new(SMS_KEY.encode(), body + moment.encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(  # noqa: S310  (the test's own server on loopback)
        stack.url("/voice/mica-workplace/sms/android/"),
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Timestamp": moment,
            "X-Signature": signature,
            **PROXY_HEADERS,
        },
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        result: dict[str, str] = json.loads(answer.read())
    return result
