"""Working offline in a real Chromium on a 390 px phone (issue 21 §6, its first "Done means"
point). The Mica Workplace Initiative's case worker opens the field forms of a village and of a
child's case (the service worker keeps them), the network is cut (Playwright's offline mode),
the page is reloaded offline, a monitoring visit and a follow-up visit are recorded and wait on
the phone; the connection returns and both arrive once (asserted in the database). Then, offline
again, another follow-up waits while the office records one on the case's page: it comes back
as a conflict shown side by side, the office's visit is not overwritten, and the officer keeps
the server's.

Run with ``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser tests/browser/test_offline.py``.
Screenshots: ``artifacts/offline-*.png``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import assert_fits

pytestmark = pytest.mark.browser

CASE_WORKER = "cases@initiative.example"
RETRY_WAIT = 25_000  # ms
EVIDENCE = "Offline visit: Tisri school register, page 4"


def _one(database: Path, sql: str, *args: Any) -> Any:
    with sqlite3.connect(database) as db:
        return db.execute(sql, args).fetchone()[0]


def test_a_field_officer_records_offline_and_both_forms_arrive_once(
    oretrace_stack: Any, open_session: Callable[..., Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    database = oretrace_stack.data_dir / "oretrace.sqlite3"
    village_id = _one(database, "SELECT id FROM programmes_village WHERE name = 'Tisri'")
    case_id = _one(
        database,
        "SELECT c.id FROM programmes_childcase c JOIN programmes_village v ON v.id = c.village_id"
        " WHERE v.name = 'Tisri' AND c.closed_on IS NULL",
    )
    done = "SELECT COUNT(*) FROM programmes_followup WHERE case_id = ? AND done_on IS NOT NULL"
    follow_ups_before = _one(database, done, case_id)
    visits = "SELECT COUNT(*) FROM programmes_monitoringvisit WHERE evidence = ?"

    officer = open_session("field-officer", as_user=CASE_WORKER, phone=True)
    page = officer.page
    context = page.context
    panel = page.locator("#offline")

    # Online: the officer opens the two field forms; the service worker keeps each.
    officer.goto(f"/programmes/cases/{case_id}/")
    page.get_by_role("link", name="The form for a phone, which works without a network").click()
    expect(page.locator("h1")).to_contain_text("Record a follow-up visit")
    expect(panel).to_have_attribute("data-ready", "1")
    follow_up_url = page.url
    officer.goto(f"/programmes/villages/{village_id}/")
    page.get_by_role("link", name="The form for a phone, which works without a network").click()
    expect(panel).to_have_attribute("data-ready", "1")
    assert "Demo child" not in page.content()

    # The network is cut; the page reloads from the phone's copy.
    context.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_have_text("Record a monitoring visit: Tisri")
    expect(panel.locator("[data-state]")).to_contain_text("No connection")
    page.get_by_label("Children aged 6–14 enrolled in school (%)").fill("88")  # noqa: RUF001
    page.get_by_label("Evidence").fill(EVIDENCE)
    page.get_by_role("button", name="Record the visit").click()
    expect(panel.locator("h2")).to_have_text("Waiting to send (1)")

    page.goto(follow_up_url)  # offline too
    expect(page.locator("h1")).to_contain_text("Record a follow-up visit")
    page.get_by_label("Still found working").check()
    page.get_by_role("button", name="Record the follow-up").click()
    expect(panel.locator("h2")).to_have_text("Waiting to send (2)")
    page.reload()  # still offline: the queue is kept on the phone
    expect(panel.locator("h2")).to_have_text("Waiting to send (2)")
    expect(panel.locator(".queued")).to_have_count(2)
    assert "Demo child" not in page.content()
    assert_fits(page, "the follow-up form offline")
    page.screenshot(path=artifacts / "offline-waiting.png", full_page=True)
    assert _one(database, visits, EVIDENCE) == 0  # nothing has arrived yet
    assert _one(database, done, case_id) == follow_ups_before

    # The connection returns: both are sent, once.
    context.set_offline(False)
    # A page reopened from the phone's copy may not hear the online event: what waits is
    # retried every 10 s (offline.js), so allow two rounds.
    expect(panel.locator("h2")).to_have_text("Waiting to send (0)", timeout=RETRY_WAIT)
    expect(panel.locator("[data-state]")).to_contain_text("Sent (2)")
    page.get_by_role("button", name="Send now").click()  # sending again sends nothing twice
    page.reload()
    expect(panel.locator("h2")).to_have_text("Waiting to send (0)")
    assert _one(database, visits, EVIDENCE) == 1
    assert _one(database, done, case_id) == follow_ups_before + 1
    latest = (
        "SELECT still_working FROM programmes_followup WHERE case_id = ? AND done_on IS NOT NULL"
        " ORDER BY done_on DESC, id DESC"
    )
    assert _one(database, latest, case_id) == 1
    page.screenshot(path=artifacts / "offline-sent.png", full_page=True)

    # Offline again, another follow-up waits; meanwhile the office records one on the server.
    context.set_offline(True)
    page.reload()
    page.get_by_role("button", name="Record the follow-up").click()  # not working any more
    expect(panel.locator("h2")).to_have_text("Waiting to send (1)")
    office = open_session("office", as_user=CASE_WORKER)
    office.goto(f"/programmes/cases/{case_id}/")
    office.page.locator("#id_follow_up-done_on").fill(
        datetime.now(UTC).date().isoformat()
    )  # the server's zone: UTC
    office.page.locator("#id_follow_up-still_working").check()
    office.page.get_by_role("button", name="Record the follow-up").click()
    expect(office.page.locator("h1")).to_be_visible()
    assert _one(database, done, case_id) == follow_ups_before + 2

    context.set_offline(False)
    conflict = panel.locator(".queued.conflict")
    expect(conflict).to_be_visible(timeout=RETRY_WAIT)
    expect(conflict).to_contain_text("changed on the server since you filled the form")
    expect(conflict.locator(".side").first).to_contain_text("Yours (on this phone)")
    expect(conflict.locator(".side").nth(1)).to_contain_text("On the server now")
    expect(conflict.locator(".side").nth(1)).to_contain_text("still working")
    expect(conflict.locator(".side").first).to_contain_text("Still found working")
    # not overwritten: the office's visit stands, the phone's is not applied
    assert _one(database, done, case_id) == follow_ups_before + 2
    assert _one(database, latest, case_id) == 1
    assert_fits(page, "the conflict")
    page.screenshot(path=artifacts / "offline-conflict.png", full_page=True)
    page.reload()  # a conflict stays on the phone until the officer chooses
    expect(panel.locator(".queued.conflict")).to_be_visible()
    page.get_by_role("button", name="Keep the server’s, discard mine").click()  # noqa: RUF001
    expect(panel.locator("h2")).to_have_text("Waiting to send (0)")
    assert _one(database, done, case_id) == follow_ups_before + 2

    assert "Demo child" not in page.content()

    # The same form, with its list and words, in French and Hindi (the crawler's own checks:
    # nothing left in English, nothing wider than the phone).
    from browser import crawl
    from browser.crawl_sources import Sources

    sources = Sources.load(["fr", "hi"])
    for language in ("fr", "hi"):
        page.locator("#lang-select").select_option(language)
        page.locator("form.lang button").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(panel).to_be_visible()
        assert crawl.check_untranslated(page, language, sources) == []
        assert crawl.check_overflow(page) == []
        page.screenshot(path=artifacts / f"offline-{language}.png", full_page=True)
    page.locator("#lang-select").select_option("en")
    page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The browser reports each try to send while offline, and the conflict's answer (409), as a
    # failed load; nothing else may fail.
    expected = ("net::ERR_INTERNET_DISCONNECTED", "status of 409")
    assert [e for e in officer.console_errors if not any(x in e for x in expected)] == []
    assert officer.csp_violations() == []
