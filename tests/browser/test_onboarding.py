"""A new customer's way in, in a real Chromium: sign-up → the operator's approval → the first
administrator invites a colleague → the colleague sets a password on the link and logs in.

Run with ``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser tests/browser/test_onboarding.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import make_operator

pytestmark = pytest.mark.browser

PASSWORD = "Heron-onboarding-2026!"
OPERATOR = "operator@platform.example"
ADMIN = "jana@heron.example"
COLLEAGUE = "kai@heron.example"


def test_sign_up_approval_invitation_and_the_invitee_logs_in(
    open_session: Callable[[str], Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    # A newcomer signs up from the login page.
    newcomer = open_session("newcomer", at="/login/")
    page = newcomer.page
    page.get_by_role("link", name="New here? Sign up your organisation").click()
    page.get_by_label("Organisation name").fill("Heron Devices GmbH")
    page.get_by_label("Country of registration").select_option("DE")
    page.get_by_label("Your name").fill("Jana Heron")
    page.get_by_label("Your e-mail address").fill(ADMIN)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.screenshot(path=artifacts / "onboarding-sign-up.png", full_page=True)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-up received")
    # Before the approval the right password says that the sign-up waits.
    newcomer.submit_login(ADMIN, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("waits for the operator's approval")

    # The operator approves it.
    make_operator(newcomer.stack.data_dir, OPERATOR, PASSWORD)
    operator = open_session("operator")
    opage = operator.page
    operator.submit_login(OPERATOR, PASSWORD)
    operator.goto("/operator/organisations/?state=pending")
    row = opage.get_by_role("row").filter(has_text="Heron Devices GmbH")
    expect(row).to_contain_text("Waiting for approval")
    opage.screenshot(path=artifacts / "onboarding-operator.png", full_page=True)
    row.get_by_role("button", name="Approve").click()
    expect(opage.get_by_role("status")).to_contain_text("Heron Devices GmbH is approved.")

    # The first administrator logs in and invites a colleague.
    newcomer.submit_login(ADMIN, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Heron Devices GmbH")
    link = newcomer.invite(COLLEAGUE)
    expect(page.locator("table").filter(has_text="Invited by")).to_contain_text(COLLEAGUE)

    # The colleague opens the link, chooses a name and password, and logs in.
    colleague = open_session("colleague")
    cpage = colleague.page
    colleague.goto(link)
    expect(cpage.get_by_role("heading", level=1)).to_have_text("Join Heron Devices GmbH")
    cpage.get_by_label("Your name").fill("Kai Heron")
    cpage.get_by_label("Password", exact=True).fill(PASSWORD)
    cpage.get_by_label("Password again").fill(PASSWORD)
    cpage.screenshot(path=artifacts / "onboarding-invitation.png", full_page=True)
    cpage.get_by_role("button", name="Create my account and join").click()
    expect(cpage.get_by_role("status")).to_contain_text("You joined Heron Devices GmbH.")
    colleague.submit_login(COLLEAGUE, PASSWORD)
    expect(cpage.get_by_role("heading", level=1)).to_have_text("Heron Devices GmbH")
    expect(cpage.locator(".lead")).to_contain_text("Compliance officer")
    assert colleague.console_errors == [], colleague.console_errors
    # The link worked once: opened again, it answers 404 and says why.
    colleague.goto(link)
    expect(cpage.get_by_role("alert")).to_contain_text("already used")
