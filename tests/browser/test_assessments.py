"""The support loop in a real Chromium: a buyer (the pigment maker, with which the processor
shares its unit) assigns the mica workplace assessment, the processor answers it in Hindi on a
phone-sized screen with evidence uploads, the gap report and the improvement plan with training
appear, actions are completed, the buyer reads the result, and a re-assessment shows the score
going up on both sides.

Run with ``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser tests/browser``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
BUYER = "compliance@rhein.example"  # the pigment maker's compliance officer
PROCESSOR = "supplier@giridih.example"

# The first round leaves gaps (long hours, no first-aider, shared toilets); the second closes them.
FIRST = {
    "ENV.1.a": "yes", "ENV.2.a": "yes", "OHS.1.a": "yes", "OHS.1.b": "shared",
    "OHS.2.a": "no", "OHS.3.a": "yes", "OHS.3.b": "92", "OHS.4.a": "yes", "OHS.4.b": "0",
    "OHS.5.a": "yes", "LAB.1.a": "yes", "LAB.1.b": "no", "LAB.2.a": "54", "LAB.2.b": "yes",
    "LAB.3.a": "yes", "LAB.3.b": "bank", "LAB.4.a": "yes", "LAB.4.b": "days:60",
    "LAB.5.a": "yes", "LAB.6.a": "yes", "LAB.6.b": "yes", "GOV.1.a": "yes", "GOV.1.b": "all",
    "GOV.3.a": "yes",
}  # fmt: skip
SECOND = {**FIRST, "OHS.1.b": "separate", "OHS.4.b": "2", "LAB.2.a": "48"}
EVIDENCE = ("ENV.1.a", "LAB.1.a", "LAB.3.a", "GOV.1.a", "GOV.2.a", "GOV.3.a")


# Elements whose right edge passes the screen's width (tag#id.class and the edge in px).
WIDER_THAN_SCREEN = """
() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter((e) => getComputedStyle(e).visibility !== 'hidden')
  .slice(0, 8)
  .map((e) => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)
"""


def _today() -> date:
    return datetime.now(tz=UTC).date()  # the server runs in UTC too


def _assign(session: Any) -> int:
    """The buyer assigns the mica standard to Giridih's unit; returns the assessment id."""
    from playwright.sync_api import expect

    page = session.page
    session.goto("/assessments/")
    for select, text in (
        ("#assign-standard", "Workplace standard for mica processing units"),
        ("#assign-facility", "Giridih Mica Processing"),
    ):
        option = page.locator(f"{select} option", has_text=text).first
        page.locator(select).select_option(option.get_attribute("value"))
    page.locator("#assign-due").fill((_today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text("Assessment assigned to")
    return int(re.search(r"/assessments/(\d+)/$", page.url).group(1))  # type: ignore[union-attr]


def _question(page: Any, code: str) -> Any:
    return page.locator("article.question").filter(
        has=page.locator("span.code", has_text=re.compile(rf"^{re.escape(code)}$"))
    )


def _answer(page: Any, code: str, value: str) -> None:
    """Answer one question as a person would; htmx saves it and swaps the block in place."""
    from playwright.sync_api import expect

    block = _question(page, code)
    radio = block.locator(f'input[type=radio][value="{value}"]')
    if radio.count():
        block.locator("label", has=page.locator(f'input[type=radio][value="{value}"]')).click()
    else:
        if value.startswith("days:"):
            value = (_today() - timedelta(days=int(value[5:]))).isoformat()
        field = block.locator('input[name="value"], textarea[name="value"]')
        field.fill(value)
        field.press("Tab")  # leaving the field fires the change that saves it
    expect(_question(page, code).locator(".saved")).to_be_visible()


def _upload(page: Any, code: str, tmp: Path) -> None:
    from playwright.sync_api import expect

    path = tmp / f"{code}.pdf"
    path.write_bytes(PDF)
    block = _question(page, code)
    block.locator("input[type=file]").set_input_files(str(path))
    block.locator("form.upload button").click()
    expect(_question(page, code).locator("ul.evidence")).to_contain_text(f"{code}.pdf")


def _answer_all(session: Any, assessment_id: int, answers: dict[str, str], tmp: Path) -> None:
    from playwright.sync_api import expect

    page = session.page
    session.goto(f"/assessments/{assessment_id}/answer/")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    # the questions are in Hindi (LAB.1.a: is every worker's age checked …)
    expect(_question(page, "LAB.1.a")).to_contain_text("आयु")
    for code, value in answers.items():
        _answer(page, code, value)
    for code in EVIDENCE:
        _upload(page, code, tmp)
    expect(page.locator("#progress-label")).to_contain_text("(100 %)")
    # a conditional question stays hidden when its condition is not met (no machines)
    expect(_question(page, "OHS.2.b")).to_be_hidden()
    # nothing is wider than the phone's screen
    too_wide = page.evaluate(WIDER_THAN_SCREEN)
    assert too_wide == [], f"wider than a phone's screen: {too_wide}"
    page.locator(f"form[action$='/assessments/{assessment_id}/'] button.primary").click()


def test_assign_answer_in_hindi_on_a_phone_plan_and_reassess(
    open_session: Callable[[str], Any], artifacts: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    buyer = open_session("buyer")
    buyer.log_in(BUYER)
    first_id = _assign(buyer)

    processor = open_session("processor")
    page = processor.page
    page.set_viewport_size(PHONE)
    processor.log_in(PROCESSOR)
    page.locator("#lang-select").select_option("hi")
    page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")

    _answer_all(processor, first_id, FIRST, tmp_path)
    # submitted: the result, the gaps (most serious first) and the report
    expect(page.locator("h2", has_text="परिणाम")).to_be_visible()
    gaps = page.locator("table.gaps tbody tr td:first-child")
    expect(gaps).to_have_text(["OHS.1", "LAB.2", "OHS.4"])  # high before medium, in order
    # the initiative's training library answers the gaps
    expect(page.locator("table.gaps")).to_contain_text("Planning shifts within 48 hours")
    first_score = float(
        re.search(r"([\d.]+) %", page.locator("h2", has_text="परिणाम").inner_text()).group(1)
    )  # type: ignore[union-attr]
    page.screenshot(path=artifacts / "assessment-result-hi-phone.png", full_page=True)
    # wide tables scroll inside their box; the page itself fits the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    report = page.locator("a", has_text="छापने योग्य कमी रिपोर्ट")
    with page.expect_navigation():
        report.click()
    expect(page.locator("table.gaps")).to_contain_text("LAB.2")
    page.go_back()

    # the improvement plan: one action per gap, with steps; the processor completes them
    page.locator("form button.primary", has_text="सुधार योजना").click()
    actions = page.locator("section.action")
    expect(actions).to_have_count(3)
    expect(actions.first).to_contain_text("OHS.1")
    expect(actions.first.locator("p.training")).to_contain_text("Toilets, water and a clean")
    expect(actions.first.locator("ol li").first).to_be_visible()
    for index in range(3):
        action = page.locator("section.action").nth(index)
        action.locator("summary").click()
        action.locator("select[name=status]").select_option("done")
        action.locator("input[name=owner_name]").fill("इकाई प्रबंधक")
        action.locator("form.inline button").click()
        expect(page.locator("section.action").nth(index).locator(".status")).to_have_text("पूरा हुआ")

    # the buyer reads the result and the gaps of the assessment it assigned
    buyer.goto(f"/assessments/{first_id}/")
    result = buyer.page.locator("h2", has_text="Result")
    expect(result).to_contain_text(f"{first_score:.1f}")
    expect(buyer.page.locator("table.gaps tbody tr td:first-child")).to_have_text(
        ["OHS.1", "LAB.2", "OHS.4"]
    )

    # a year on: the buyer assigns the standard again; this time every gap is closed
    second_id = _assign(buyer)
    _answer_all(processor, second_id, SECOND, tmp_path)
    heading = page.locator("h2", has_text="परिणाम")
    expect(heading).to_be_visible()
    second_score = float(re.search(r"([\d.]+) %", heading.inner_text()).group(1))  # type: ignore[union-attr]
    assert second_score > first_score
    chart = page.locator("figure.chart")
    expect(chart).to_be_visible()
    bars = chart.locator("rect.bar")
    assert bars.count() >= 2
    labels = chart.locator("text").all_text_contents()
    assert f"{second_score:.1f}" in labels
    page.screenshot(path=artifacts / "assessment-progress-hi-phone.png", full_page=True)
    assert processor.csp_violations() == []

    # the buyer sees the progress across its own two assessments (not the initiative's)
    buyer.goto(f"/assessments/{second_id}/")
    bars = buyer.page.locator("figure.chart rect.bar")
    expect(bars).to_have_count(2)
    labels = buyer.page.locator("figure.chart text").all_text_contents()
    assert f"{first_score:.1f}" in labels
    assert f"{second_score:.1f}" in labels
    buyer.page.screenshot(path=artifacts / "assessment-progress-buyer.png", full_page=True)
    assert buyer.csp_violations() == []


def test_write_a_new_version_of_a_standard_and_publish_it(
    open_session: Callable[[str], Any], artifacts: Path
) -> None:
    """The buyer's compliance officer starts a new version of the mica standard from the
    latest one, rewrites a question in Hindi, marks it as needing evidence, and publishes."""
    from playwright.sync_api import expect

    author = open_session("author")
    author.log_in(BUYER)
    page = author.page
    author.goto("/assessments/standards/")
    page.locator("a", has_text="Workplace standard for mica processing units").first.click()
    page.get_by_label("New version").fill("2027-rhein")
    page.get_by_role("button", name="Start a draft from the latest version").click()
    expect(page.get_by_role("status")).to_contain_text("Draft started from")
    page.locator("#question-LAB\\.1\\.a").get_by_role("link", name="Edit").click()
    hindi = "क्या हर कर्मचारी की आयु का प्रमाण फ़ाइल में है?"
    page.locator("#f-text-hi").fill(hindi)
    page.locator("#f-evidence_required").check()
    # a condition on a question that does not come before is refused, naming the field
    page.locator("#f-shown_when").fill("LAB.9.z")
    page.locator("#f-answer_in").fill("yes")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("shown_when.question: 'LAB.9.z' is not")
    expect(page.locator("#f-text-hi")).to_have_value(hindi)  # what was typed is kept
    page.locator("#f-shown_when").fill("")
    page.locator("#f-answer_in").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#question-LAB\\.1\\.a")).to_contain_text("evidence required")
    page.screenshot(path=artifacts / "standard-draft.png", full_page=True)
    page.get_by_role("button", name="Publish this version").click()
    expect(page.get_by_role("status")).to_contain_text("Published as")
    expect(page.locator("h1")).to_contain_text("2027-rhein")
    page.locator('a[href="?lang=hi"]').click()
    expect(page.locator("h1")).to_have_attribute("lang", "hi")
    expect(page.locator("li", has_text="LAB.1.a")).to_contain_text(hindi)
    assert author.csp_violations() == []
    assert author.console_errors == []
