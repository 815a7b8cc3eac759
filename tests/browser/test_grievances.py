"""Worker voice in a real Chromium (issue 20, "Done means"): on a 390 px phone in Hindi, a
worker sends an anonymous report to the Mica Workplace Initiative's channel and gets a
16-digit receipt; the Initiative's grievance officer reads it and replies; the worker comes
back with the receipt, reads the reply and answers. The database then holds the reporter's
user agent nowhere (every text column of every table), and neither does the server's log.

Run with ``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser tests/browser/test_grievances.py``.
Screenshots: ``artifacts/grievance-*.png``.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

OFFICER = "grievance@initiative.example"
PHONE = {"width": 390, "height": 844}
AGENT = "Mozilla/5.0 (Mobile; KaiOS-WorkerPhone-7731) Gecko/48.0"
REPORT = "छंटाई शेड में पीने का पानी नहीं है और सुपरवाइज़र मज़दूरी काटता है"
ANSWER = "उत्तरी शेड, सुबह की पाली"


def _holding(database: Path, needle: str) -> list[str]:
    """Every table.column of the SQLite database whose text holds ``needle``."""
    found = []
    with sqlite3.connect(database) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for column in [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]:
                sql = f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ?'  # noqa: S608
                if db.execute(sql, [f"%{needle}%"]).fetchone()[0]:
                    found.append(f"{table}.{column}")
    return found


def test_a_worker_reports_in_hindi_on_a_phone_and_hears_back_by_receipt(
    browser: Any, oretrace_stack: Any, open_session: Callable[..., Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, locale="hi-IN", user_agent=AGENT)
    try:
        worker = context.new_page()
        worker.goto(oretrace_stack.url("/voice/mica-workplace/?lang=hi"))
        expect(worker.locator("html")).to_have_attribute("lang", "hi")
        worker.locator("#id_text").fill(REPORT)
        worker.get_by_role("button", name="शिकायत भेजें").click()
        receipt = worker.locator("#receipt").inner_text().strip()
        assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", receipt), receipt
        assert context.cookies() == []
        width = worker.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the receipt page scrolls sideways ({width} px)"
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
    data = oretrace_stack.data_dir
    assert _holding(data / "oretrace.sqlite3", "KaiOS-WorkerPhone-7731") == []
    for log in data.glob("*.log"):
        assert "KaiOS-WorkerPhone-7731" not in log.read_text(errors="replace"), log.name
