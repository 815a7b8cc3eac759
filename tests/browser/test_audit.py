"""An audit in a real Chromium (issue 19, "Done means"): Thirdline's auditor, on a tablet
(768 px), plans an audit of Giridih's unit, records a major finding with a photo on the
checklist (saved as it goes) and issues the report; Giridih's supplier answers on a phone
(390 px) with an action and its evidence and submits; the auditor sends the plan back; round 2
is answered and submitted; the auditor verifies and closes. The facility page then shows
"until …" and the next audit due, and the result's proof bundle verifies with `oretrace verify`.

Run with ``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser tests/browser/test_audit.py``.
Screenshots: ``artifacts/audit-*.png``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import PHONE, assert_fits

pytestmark = pytest.mark.browser

AUDITOR = "auditor@thirdline.example"
SUPPLIER = "supplier@giridih.example"
TABLET = {"width": 768, "height": 1024}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def _answer(supplier: Any, audit_path: str, what: str, artifacts: Path, shot: str) -> None:
    from playwright.sync_api import expect

    page = supplier.page
    supplier.goto(audit_path + "answer/")
    section = page.locator("section.answer-finding", has_text="LAB.3")
    adding = section.locator("details", has_text="Add a corrective action")
    if adding.get_attribute("open") is None:  # open already while the finding has no action
        adding.locator("summary").click()
    section.get_by_label("Action").fill(what)
    section.get_by_label("Owner").fill("Unit manager")
    due = section.get_by_label("Due on")
    latest = due.get_attribute("max") or (date.today() + timedelta(days=30)).isoformat()  # noqa: DTZ011
    due.fill(latest)
    section.get_by_label("Evidence (photo or PDF)").set_input_files(
        {"name": "payslip.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    )
    section.get_by_role("button", name="Add the action").click()
    section = page.locator("section.answer-finding", has_text="LAB.3")
    expect(section.locator("ul.actions")).to_contain_text(what)
    assert_fits(page, "the auditee's page at 390 px")
    page.screenshot(path=artifacts / shot, full_page=True)
    page.get_by_role("button", name="Submit the plan for verification").click()
    expect(page.get_by_role("status").first).to_contain_text("submitted")


def test_an_audit_from_the_checklist_to_a_verified_conformant_status(
    open_session: Callable[..., Any], artifacts: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from oretrace.cli import main

    auditor = open_session("audit-auditor", as_user=AUDITOR)
    page = auditor.page
    page.set_viewport_size(TABLET)

    # Plan an audit of the unit Giridih shared with Thirdline.
    auditor.goto("/audits/new/")
    page.locator("#id_programme").select_option(
        label="Mica processing unit workplace audit (2026.1)"
    )
    page.locator("#id_audit_type").select_option("follow-up")
    page.locator("#id_facility").select_option(index=1)
    page.get_by_label("Scope").fill("Sorting hall and store, day shift")
    today = date.today()  # noqa: DTZ011
    page.get_by_label("Start").fill(today.isoformat())
    page.get_by_label("End").fill(today.isoformat())
    page.get_by_role("button", name="Plan").click()
    expect(page.locator("#audit-status")).to_have_text("Planned")
    audit_path = page.url.removeprefix(auditor.stack.base_url)

    # The checklist at 768 px: a major finding on LAB.3 with a photo, saved as it goes.
    page.get_by_role("button", name="Start the fieldwork").click()
    expect(page.locator("h1")).to_have_text("Checklist")
    row = page.locator("article.criterion", has_text="LAB.3")
    row.get_by_label("What was found").fill("Sorters paid below the minimum wage, in cash.")
    row.get_by_label("Grade").select_option("major")
    row = page.locator("article.criterion.grade-major", has_text="LAB.3")
    expect(row.get_by_role("status")).to_have_text("Saved")
    row.get_by_label("Photo or document").set_input_files(
        {"name": "sorting-hall.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    )
    row = page.locator("article.criterion.grade-major", has_text="LAB.3")
    expect(row.locator("ul.photos img")).to_have_count(1)
    assert_fits(page, "the checklist at 768 px")
    page.screenshot(path=artifacts / "audit-checklist-tablet.png", full_page=False)
    page.get_by_role("button", name="Issue the report").click()
    expect(page.locator("#audit-status")).to_contain_text("Report issued")

    # Giridih answers on a phone, with an action and its evidence, and submits.
    supplier = open_session("audit-supplier", as_user=SUPPLIER)
    supplier.page.set_viewport_size(PHONE)
    _answer(
        supplier,
        audit_path,
        "Pay by the hour at the minimum wage",
        artifacts,
        "audit-answer-phone.png",
    )

    # The auditor sends it back: round 2.
    auditor.goto(audit_path)
    page.get_by_label("What the auditee must add or change").fill("Show a month of payslips.")
    page.get_by_role("button", name="Send back (round 2)").click()
    expect(page.locator("#audit-status")).to_contain_text("round 2")

    # Round 2, on the phone again: the note is shown; a second action; submitted.
    supplier.goto(audit_path + "answer/")
    expect(supplier.page.locator(".notice")).to_contain_text("Show a month of payslips.")
    _answer(supplier, audit_path, "Payslips every month", artifacts, "audit-round2-phone.png")

    # The auditor verifies and closes: conformant, with the next audit.
    auditor.goto(audit_path)
    page.get_by_role("button", name="Verify and close the audit").click()
    expect(page.locator("#audit-status")).to_have_text("Closed")
    expect(page.locator("#audit-outcome")).to_contain_text("Conformant")
    page.screenshot(path=artifacts / "audit-closed.png", full_page=True)

    # The facility page shows the status until …, and the next audit due.
    supplier.goto(audit_path)
    supplier.page.locator("#audit-facility").click()
    badges = supplier.page.locator("ul.badges")
    expect(badges).to_contain_text("until ")
    expect(badges).to_contain_text("next audit due ")
    supplier.page.screenshot(path=artifacts / "audit-facility-status.png", full_page=True)

    # The result verifies offline with `oretrace verify`.
    audit_id = audit_path.strip("/").rsplit("/", 1)[-1]
    bundle = page.request.get(auditor.stack.url(f"/ledger/records/audits.audit/{audit_id}/bundle"))
    assert bundle.ok, bundle.text()
    path = tmp_path / "audit.tlog-proof"
    path.write_text(bundle.text())
    vkey = page.request.get(auditor.stack.url("/ledger/vkey")).text().strip()
    assert main(["verify", str(path), "--key", vkey, "--accept-operator-only", "--quiet"]) == 0

    assert auditor.csp_violations() == []
    assert supplier.csp_violations() == []
    # the checklist's refusals answer 400 on purpose; nothing else may complain
    unexpected = [
        e for e in auditor.console_errors + supplier.console_errors if "status of 400" not in e
    ]
    assert unexpected == []
