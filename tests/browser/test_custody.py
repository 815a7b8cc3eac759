"""Chain of custody in a real Chromium on a phone-sized screen: a field officer of the village
collectors, who has never recorded anything, records two collections, sorts them with a yield,
ships the sorted lot, sees its origins on a map, then records a step that puts out more than went
in and sees its flag.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _choose(page: Any, field: str, text: str) -> None:
    """Select the option of ``field`` whose label contains ``text``."""
    option = page.locator(f"#id_{field} option").filter(has_text=text).first
    page.locator(f"#id_{field}").select_option(value=option.get_attribute("value"))


def _record(page: Any, kind: str) -> None:
    page.get_by_role("link", name="Record", exact=True).click()
    page.locator(".record-choices a").filter(has=page.locator("strong", has_text=kind)).click()


def test_record_collections_processing_and_shipment_then_see_origins(
    open_session: Callable[[str], Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    session = open_session("field")
    page = session.page
    page.set_viewport_size(PHONE)
    session.log_in("field@koderma.example")
    page.locator("details.menu > summary").click()  # on a phone the navigation is folded
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Custody").click()

    # Two collections, one at a village collection point, one at the picking area.
    for place, kg, number in (("Dhorkola", "300", "DHK-B1"), ("Tisri", "200", "TSR-B1")):
        _record(page, "Collection")
        expect(page.get_by_role("heading", level=1)).to_have_text("Record a collection")
        _choose(page, "facility", place)
        page.get_by_label("Quantity").fill(kg)
        page.get_by_label("Lot number").fill(number)
        if number == "DHK-B1":
            page.screenshot(path=artifacts / "custody-collection-phone.png", full_page=True)
        page.get_by_role("button", name="Record").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(number)
        expect(page.locator(".messages")).to_contain_text("Recorded.")

    # Sorting at the depot: 500 kg in, 320 kg out.
    _record(page, "Processing")
    _choose(page, "facility", "Dhorkola")
    page.locator("#id_process").select_option("sorting")
    _choose(page, "input_1", "DHK-B1")
    _choose(page, "input_2", "TSR-B1")
    page.locator("#id_output_quantity").fill("320")
    page.locator("#id_output_lot").fill("SORT-B1")
    page.screenshot(path=artifacts / "custody-processing-phone.png", full_page=True)
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SORT-B1")
    expect(page.locator(".messages")).not_to_contain_text("Mass-balance flag")

    # The sorted lot leaves for the other depot.
    _record(page, "Shipment")
    _choose(page, "lot", "SORT-B1")
    page.get_by_label("kg shipped").fill("320")
    _choose(page, "destination", "Chandwara")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SORT-B1")
    sorted_url = page.url

    # Its page: origins with their shares, and both on the map.
    origins = page.locator("table").filter(has_text="Origin lot")
    expect(origins).to_contain_text("DHK-B1")
    expect(origins).to_contain_text("60.0 %")
    expect(origins).to_contain_text("40.0 %")
    the_map = page.locator("figure.origins-map svg")
    expect(the_map).to_be_visible()
    expect(the_map).to_contain_text("ढोरकोला")
    expect(the_map).to_contain_text("तिसरी")
    expect(page.locator("figure.chain-picture svg")).to_be_visible()
    page.screenshot(path=artifacts / "custody-lot-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=artifacts / "custody-lot.png", full_page=True)
    page.set_viewport_size(PHONE)

    # A step that puts out more than went in is recorded, and flagged at once.
    _record(page, "Collection")
    _choose(page, "facility", "Tisri")
    page.get_by_label("Quantity").fill("100")
    page.get_by_label("Lot number").fill("TSR-B2")
    page.get_by_role("button", name="Record").click()
    _record(page, "Processing")
    _choose(page, "facility", "Tisri")
    page.locator("#id_process").select_option("splitting")
    _choose(page, "input_1", "TSR-B2")
    page.locator("#id_output_quantity").fill("150")
    page.locator("#id_output_lot").fill("SPLIT-B2")
    page.get_by_role("button", name="Record").click()
    expect(page.locator(".messages")).to_contain_text("Mass-balance flag")
    expect(page.locator(".messages")).to_contain_text("150 kg out of 100 kg in")
    expect(page.get_by_role("heading", name="Mass-balance flags")).to_be_visible()
    page.screenshot(path=artifacts / "custody-flag-phone.png", full_page=True)

    page.get_by_role("link", name="Flagged lots").click()
    expect(page.locator("table")).to_contain_text("SPLIT-B2")
    page.goto(sorted_url)
    assert session.console_errors == [], f"console errors: {session.console_errors}"
    assert session.csp_violations() == []
