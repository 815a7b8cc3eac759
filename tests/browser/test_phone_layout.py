"""The shell on a 390 px phone, in French, Hindi and Swahili (the longest labels): the top bar
is one line (logo, menu, language) inside the screen, the menu folds out and back, and the pages
a member opens first neither scroll sideways nor raise a CSP violation or a console error.
On a desktop the menu is simply open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from browser.conftest import PHONE, sideways

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PAGES = [
    "/",
    "/organisation/",
    "/facilities/",
    "/declarations/",
    "/declarations/rollup/",
    "/declarations/campaigns/",
    "/assessments/",
    "/custody/",
    "/custody/lots/",
    "/ledger/",
    "/jobs/",
    "/reference/",
    "/tokens/",
    "/verify/",
]


def _switch_language(page: Any, code: str) -> None:
    page.locator("#lang-select").select_option(code)
    with page.expect_navigation():
        page.locator("form.lang button[type=submit]").click()


@pytest.mark.parametrize("language", ["fr", "hi", "sw"])
def test_phone_top_bar_menu_and_no_sideways_scroll(
    open_session: Callable[[str], Any], language: str
) -> None:
    from playwright.sync_api import expect

    session = open_session(f"phone-{language}")
    page = session.page
    session.log_in("compliance@brightline.example")
    page.set_viewport_size(PHONE)
    _switch_language(page, language)
    assert page.locator("html").get_attribute("lang") == language

    # one line: the bar is no taller than a button row, a tenth of the first screen at most
    bar = page.locator("header.top").bounding_box()
    assert bar is not None
    assert bar["height"] <= PHONE["height"] / 10, bar
    # and every part of it inside the screen: a clipped menu button cannot be tapped
    edges = page.evaluate(
        "[...document.querySelectorAll('header.top > *:not(script)')]"
        ".map(e => [e.className || e.tagName, Math.round(e.getBoundingClientRect().right)])"
    )
    assert [e for e in edges if e[1] > PHONE["width"]] == [], edges
    nav = page.locator("header nav")
    menu = page.locator("details.menu > summary")
    expect(nav).to_be_hidden()
    expect(menu).to_be_visible()
    menu.click()
    expect(nav).to_be_visible()
    assert sideways(page) <= 0  # the open panel stays inside the screen
    menu.click()
    expect(nav).to_be_hidden()

    problems = []
    for path in PAGES:
        session.goto(path)
        if (extra := sideways(page)) > 0:
            problems.append(f"{path}: {extra} px sideways")
        problems += [f"{path}: CSP {v}" for v in session.csp_violations()]
    assert problems == [], problems
    assert session.console_errors == [], session.console_errors

    # back on a wide screen the navigation is there without a click, and the summary is not
    page.set_viewport_size(DESKTOP)
    expect(nav).to_be_visible()
    expect(menu).to_be_hidden()


def test_rollup_chart_and_answers_read_in_french_on_a_phone(
    open_session: Callable[[str], Any], artifacts: Any
) -> None:
    """The roll-up in French: the conformance chart draws (no console error), its metals and the
    answers of the templates' own lists are French, and a screenshot shows it."""
    session = open_session("rollup-fr")
    page = session.page
    session.log_in("compliance@brightline.example")
    page.set_viewport_size(PHONE)
    _switch_language(page, "fr")
    session.goto("/declarations/rollup/")
    chart = page.locator("figure svg").first
    assert chart.is_visible()
    labels = chart.text_content() or ""
    answers = page.locator("table").first.locator("tbody td").all_inner_texts()
    page.screenshot(path=artifacts / "phone-rollup-chart-fr.png", full_page=True)
    assert "Oui" in answers, answers
    assert "Yes" not in answers, answers
    assert "No" not in answers, answers
    assert "Étain" in labels, labels
    assert sideways(page) <= 0
    assert session.console_errors == [], session.console_errors
