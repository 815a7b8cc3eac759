"""List downloads in a real Chromium: the XLSX link of a list page gives the whole filtered
selection as a workbook that reads back, and a download that takes more than a second shows
the "Preparing the file…" notice until the file arrives (web/busy.js, web/exports.py)."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

pytestmark = pytest.mark.browser


def _workbook_rows(download: Any) -> list[tuple[Any, ...]]:
    data = Path(download.path()).read_bytes()
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_declaration_list_exported_to_xlsx(
    open_session: Callable[[str], Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    session = open_session("lists", as_user="compliance@brightline.example", at="/declarations/")
    page = session.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Supplier declarations")
    shown = page.locator("table tbody tr").count()
    link = page.locator('a[data-export="xlsx"]')
    expect(link).to_be_visible()
    page.screenshot(path=artifacts / "list-downloads.png", full_page=True)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("declarations-")
    assert download.suggested_filename.endswith(".xlsx")
    rows = _workbook_rows(download)
    assert rows[0][:2] == ("Supplier", "Template")
    assert len(rows) - 1 == shown  # the demo's list fits one page: the same rows
    assert session.console_errors == []


def test_a_slow_download_shows_that_it_is_being_prepared(
    open_session: Callable[[str], Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    session = open_session("lists-slow", as_user="compliance@brightline.example", at="/facilities/")
    page = session.page

    def slow(route: Any) -> None:  # the file takes two seconds to come
        time.sleep(2)
        route.continue_()

    page.route("**/facilities/?*export=csv*", slow)
    busy = page.locator("#busy")
    expect(busy).to_be_hidden()
    with page.expect_download() as info:
        page.locator('a[data-export="csv"]').click()
        expect(busy).to_be_visible()
        expect(busy).to_contain_text("Preparing the file")
        page.screenshot(path=artifacts / "list-download-preparing.png")
    assert info.value.suggested_filename.endswith(".csv")
    expect(busy).to_be_hidden(timeout=5_000)  # the file's cookie said it came
