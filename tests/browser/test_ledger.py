"""The demo's transparency log in a real Chromium: a record's public page, as a newcomer who
ran `make run` and followed a QR link, shows the record verified and cosigned by the witness."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_a_demo_records_public_page_shows_the_witness_cosignature(
    open_session: Callable[[str], Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    # a member finds the public verification link of one of their records
    member = open_session("member")
    member.log_in("field@koderma.example")
    member.goto("/ledger/")
    member.page.locator("table tbody tr td a").first.click()
    link = member.page.locator("figcaption a").get_attribute("href")
    assert link
    assert "/verify/r/" in link

    # anyone who follows it, without logging in, sees it verified and cosigned
    public = open_session("public")
    public.page.goto(link)
    # The newest record may have come after the demo's cosigned checkpoint (the other browser
    # tests add records): the local witness cosigns the served log every 15 s, as `make run`'s.
    # Until then the page warns "signed by the operator only" (an alert, not a status).
    for _ in range(30):
        if "Verified." in public.page.locator("main").inner_text():
            break
        public.page.wait_for_timeout(3_000)
        public.page.reload()
    outcome = public.page.get_by_role("status")
    expect(outcome).to_contain_text("Verified.")
    expect(outcome).to_contain_text("Cosigned by 1 witness")
    expect(outcome).to_contain_text("localhost/demo-witness")
    page_text = public.page.content()
    assert "field@koderma.example" not in page_text
    assert "--witness localhost/demo-witness+" in page_text
    public.page.screenshot(path=artifacts / "ledger-public-record-cosigned.png", full_page=True)
    assert public.console_errors == []
    assert public.csp_violations() == []
