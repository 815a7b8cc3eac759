"""A compliance team's whole reporting year, as a new customer, in a real Chromium, on a fresh
database (``oretrace setup`` only: no demo data, an empty registry), in the order of issue 16:

sign-up of the organisation → the operator's approval → the administrator invites a colleague
(the link read from the outgoing mail; the colleague's first notification behind the bell) →
the administrator loads the RMI reference list into the organisation's own registry (the
empty-registry warning goes) → six suppliers, a campaign to them, each answering through its
upload link with one of the six real CMRTs → the review queue resolved in bulk through the UI,
above a score the officer picks, with a second look at the count → the declarations accepted
in bulk, their list exported to XLSX and read back → the roll-up → exported into the blank
CMRT 6.5 → the export imported again: 0 checker errors, no duplicate rows.

With the list loaded first, every smelter the six real CMRTs name carries a Smelter ID of the
list and matches at import (141 of 141 rows, checked also with the CMRT 6.1 to 6.31 look-ups and
the RMI facility-list export): none of them waits for review. The names in the queue come from
a seventh supplier who sent its smelters by e-mail, matched on the Match page with "put
uncertain names in the review queue"; the names and the score are chosen so that some are
confirmed in bulk and at least one is left for a person.

Needs ../shared/data (skips when absent). Run with
``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser tests/browser/test_year.py``.
Screenshots go to ``artifacts/year-*.png``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from browser.conftest import (
    ARTIFACTS,
    RESPOND_PATH,
    Session,
    Site,
    Stack,
    mail_link,
    make_operator,
    sessions,
)

pytestmark = pytest.mark.browser

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "rmi-templates"
JOB_TIMEOUT_MS = 240_000
PASSWORD = "Kestrel-year-2026!"
OPERATOR = "operator@platform.example"
ADMIN = "mara@kestrel.example"
COLLEAGUE = "ivo@kestrel.example"
ORGANISATION = "Kestrel Instruments GmbH"
YEAR = "2024"
# Six suppliers, each answering with one of the six real CMRT 6.4 files (by a part of its name).
SUPPLIERS = [
    ("Central Glass Co., Ltd.", "cg@suppliers.example", "基佳"),
    ("SK specialty Co., Ltd.", "sk@suppliers.example", "_SK"),
    ("Honeywell Electronic Materials", "hem@suppliers.example", "Honeywell"),
    ("JX Advanced Metals Corporation", "jx@suppliers.example", "JX Advanced"),
    ("Packaging supplier (anonymised)", "pkg@suppliers.example", "PKG"),
    ("EMD Electronics (Merck)", "emd@suppliers.example", "Merck"),
]
# A seventh supplier sends no CMRT but its smelters by e-mail, named its own way (name; metal;
# country): most match a listed facility at once, a few are only alike and wait for review.
EMAILED_NAMES = [
    "Mitsubishi Materials Corp; gold; JP",
    "Thaisarco; tin; TH",
    "Umicore Precious Metals Refining; gold; BE",
    "HC Starck Tantalum; tantalum; DE",
    "Ningxia Orient Tantalum; tantalum; CN",
    "Tanaka Kikinzoku; gold; JP",
    "Boliden; gold; SE",
]
# The lowest score the officer confirms in bulk; the names below it are confirmed one by one.
BULK_SCORE = "80"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not present (../shared/data)")
    return path


def _filled(part: str) -> Path:
    (path,) = [p for p in _need(SHARED / "filled").iterdir() if part in p.name]
    return path


# --- a fresh oretrace: setup only, then serve and worker --------------------------------------


@pytest.fixture(scope="module")
def fresh_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    _need(SHARED / "filled")
    site = Site(tmp_path_factory.mktemp("oretrace-year"))
    site.run("setup", log="year-setup")
    make_operator(site.data_dir, OPERATOR, PASSWORD)
    with site.serving(PASSWORD, logs_as="year") as stack:
        yield stack


@pytest.fixture
def session_for(
    request: pytest.FixtureRequest, browser: Any, fresh_stack: Stack
) -> Iterator[Callable[[str], Session]]:
    with sessions(request, browser, fresh_stack, timeout_ms=30_000) as factory:
        yield factory


# --- helpers ----------------------------------------------------------------------------------


def _shot(session: Session, name: str) -> None:
    session.page.screenshot(path=ARTIFACTS / f"year-{name}.png", full_page=True)  # type: ignore[attr-defined]


def _wait_for_job(session: Session) -> None:
    """On a job's page: wait until it ends, and require that it succeeded (with or without
    warnings)."""
    from playwright.sync_api import expect

    status = session.page.locator("#job-status .status")  # type: ignore[attr-defined]
    ended = re.compile("Succeeded|Finished with|Failed|Cancelled")
    expect(status).to_have_text(ended, timeout=JOB_TIMEOUT_MS)
    expect(status).to_have_text(re.compile("Succeeded|Finished with"))


# --- the year ---------------------------------------------------------------------------------


def test_a_new_customers_reporting_year(
    session_for: Callable[[str], Session], fresh_stack: Stack, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    blank_65 = _need(SHARED / "blank" / "RMI_CMRT_6.5.xlsx")
    reference = _need(SHARED / "blank" / "RMI_CMRT_6.4.xlsx")
    files = {email: _filled(part) for _name, email, part in SUPPLIERS}
    worker_log = fresh_stack.data_dir / "worker.log"

    # 1. Sign-up: a newcomer registers the organisation and its first administrator.
    admin = session_for("admin")
    page: Any = admin.page
    admin.goto("/login/")
    page.get_by_role("link", name="New here? Sign up your organisation").click()
    page.get_by_label("Organisation name").fill(ORGANISATION)
    page.get_by_label("Country of registration").select_option("DE")
    page.get_by_label("Your name").fill("Mara Kestrel")
    page.get_by_label("Your e-mail address").fill(ADMIN)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-up received")
    _shot(admin, "01-sign-up")

    # 2. The operator approves it.
    operator = session_for("operator")
    opage: Any = operator.page
    operator.submit_login(OPERATOR)
    operator.goto("/operator/organisations/?state=pending")
    row = opage.get_by_role("row").filter(has_text=ORGANISATION)
    row.get_by_role("button", name="Approve").click()
    expect(opage.get_by_role("status")).to_contain_text(f"{ORGANISATION} is approved.")
    _shot(operator, "02-approved")

    # 3. The administrator invites a colleague, who joins through the mailed link.
    admin.submit_login(ADMIN)
    expect(page.get_by_role("heading", level=1)).to_have_text(ORGANISATION)
    link = admin.invite(COLLEAGUE)
    colleague = session_for("colleague")
    cpage: Any = colleague.page
    colleague.goto(link)
    cpage.get_by_label("Your name").fill("Ivo Kestrel")
    cpage.get_by_label("Password", exact=True).fill(PASSWORD)
    cpage.get_by_label("Password again").fill(PASSWORD)
    cpage.get_by_role("button", name="Create my account and join").click()
    expect(cpage.get_by_role("status")).to_contain_text(f"You joined {ORGANISATION}.")
    colleague.submit_login(COLLEAGUE)
    expect(cpage.locator(".lead")).to_contain_text("Compliance officer")
    _shot(colleague, "03-colleague-joined")
    # The colleague's first notification: the welcome, behind the bell in the top bar.
    expect(cpage.locator("#notification-count")).to_have_text("1")
    cpage.locator("#notification-bell").click()
    welcome = cpage.locator("#notification-list li.notification.unread")
    expect(welcome).to_have_count(1)
    expect(welcome.locator(".notification-text")).to_contain_text(f"Welcome to {ORGANISATION}")
    _shot(colleague, "03b-colleague-notified")

    # 4. The administrator loads the RMI reference list into the organisation's own registry
    #    before the campaign: the newcomer was told what an empty registry means.
    admin.goto("/declarations/")
    expect(page.get_by_role("main")).to_contain_text("Your registry has no smelters or refiners")
    admin.goto("/facilities/imports/")
    expect(page.get_by_role("main")).to_contain_text("your organisation's own")
    page.locator("input[type=file]").set_input_files(str(reference))
    page.get_by_role("button", name="Import").click()
    _wait_for_job(admin)
    _shot(admin, "04-reference-list")
    admin.goto("/declarations/")
    expect(page.get_by_role("main")).not_to_contain_text("Your registry has no smelters")

    # 5. Six suppliers, and a campaign to all of them.
    admin.goto("/declarations/suppliers/")
    for name, email, _part in SUPPLIERS:
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("E-mail", exact=True).fill(email)
        page.get_by_role("button", name="Add supplier").click()
        expect(page.locator("table")).to_contain_text(name)
    mark = len(worker_log.read_text(errors="replace"))
    admin.goto("/declarations/campaigns/")
    page.get_by_label("Name", exact=True).fill(f"CMRT {YEAR} supplier survey")
    page.get_by_label("Template").select_option("CMRT")
    page.get_by_label("Reporting year").fill(YEAR)
    expect(page.get_by_label("Every supplier with an e-mail address")).to_be_checked()
    page.get_by_role("button", name="Open the campaign and send the e-mails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"CMRT {YEAR} supplier survey")
    campaign_url = page.url
    _shot(admin, "05-campaign-opened")

    # 6. Each supplier answers through its own link, with no account.
    for name, email, _part in SUPPLIERS:
        path = mail_link(worker_log, email, mark, RESPOND_PATH)
        supplier = session_for(email.split("@")[0])
        spage: Any = supplier.page
        supplier.goto(path)
        expect(spage.locator("dl.details")).to_contain_text(name)
        spage.locator("input[name=files]").set_input_files(str(files[email]))
        spage.get_by_role("button", name="Send").click()
        expect(spage.locator("table")).to_contain_text("received", timeout=JOB_TIMEOUT_MS)
        if email.startswith("jx"):
            _shot(supplier, "06-supplier-answered")
        assert supplier.console_errors == [], supplier.console_errors
    page.goto(campaign_url)
    expect(page.locator("dl.figures")).to_contain_text("100 %")
    _shot(admin, "07-campaign-answered")

    # 7. The list was loaded first: every smelter the six CMRTs name matched by its ID at
    #    import, and nothing of them waits for review.
    officer, opage2 = colleague, cpage
    officer.goto("/facilities/reviews/")
    expect(opage2.locator("#queue-count")).to_have_text("0 names wait for review.")
    # A seventh supplier sent its smelters by e-mail, as names typed its own way: the officer
    # matches them, and the uncertain ones go to the review queue.
    officer.goto("/facilities/match/")
    opage2.get_by_label("Names, one per line").fill("\n".join(EMAILED_NAMES))
    opage2.get_by_label("Put uncertain names in the review queue").check()
    opage2.get_by_role("button", name="Match").click()
    expect(opage2.locator("table tbody tr")).to_have_count(len(EMAILED_NAMES))
    _shot(officer, "08-names-matched")
    officer.goto("/facilities/reviews/")
    waiting = _count(opage2.locator("#queue-count").inner_text())
    assert waiting >= 3, f"only {waiting} names wait for review: nothing to confirm in bulk"
    _shot(officer, "09-review-queue")

    # 8. The queue resolved in bulk: every name whose best candidate scores at least the score
    #    the officer picks, after a second look at the count; the rest one by one.
    opage2.get_by_label(re.compile("^Confirm the best candidate of every name")).select_option(
        BULK_SCORE
    )
    opage2.get_by_role("button", name="Confirm in bulk…").click()
    expect(opage2.get_by_role("heading", level=1)).to_have_text("Confirm in bulk")
    chosen = _count(opage2.locator("#bulk-count").inner_text())
    assert 0 < chosen < waiting, (chosen, waiting)
    _shot(officer, "10-confirm-in-bulk")
    opage2.get_by_role("button", name=f"Confirm {chosen} names").click()
    expect(opage2.locator("body")).to_contain_text(
        f"{chosen} names confirmed: each now matches its best candidate."
    )
    left = _count(opage2.locator("#queue-count").inner_text())
    assert left == waiting - chosen, (waiting, chosen, left)
    for _ in range(left):
        first = opage2.locator("article.review").first
        # "This one" beside the best candidate (its accessible name says which facility)
        first.locator("ul.candidates li").first.get_by_role("button").click()
    expect(opage2.locator("#queue-count")).to_have_text("0 names wait for review.")
    expect(opage2.get_by_role("main")).to_contain_text("Nothing waits for review.")
    _shot(officer, "11-review-queue-resolved")

    # 9. The declarations accepted in bulk (with a note: some carry checker errors).
    officer.goto("/declarations/")
    boxes = opage2.locator("input[name=declaration]")
    expect(boxes).to_have_count(6)
    for index in range(6):
        boxes.nth(index).check()
    opage2.get_by_label(re.compile("^Note")).fill("Reviewed for the 2024 report")
    opage2.get_by_role("button", name="Accept", exact=True).click()
    expect(opage2.get_by_role("status")).to_contain_text("6 declarations decided.")
    _shot(officer, "12-accepted")
    # The declaration list, as the officer sees it, exported to XLSX and read back.
    with opage2.expect_download() as listed:
        opage2.locator('a[data-export="xlsx"]').click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(listed.value.path()).read_bytes()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "Supplier", rows[0]
    assert len(rows) == 1 + 6, rows
    assert {row[0] for row in rows[1:]} == {name for name, _email, _part in SUPPLIERS}
    assert {row[4] for row in rows[1:]} == {"Accepted"}, rows

    # 10. The roll-up, and the export into the blank CMRT 6.5.
    officer.goto(f"/declarations/rollup/?family=CMRT&year={YEAR}")
    expect(opage2.get_by_role("heading", level=1)).to_have_text(f"Your CMRT for {YEAR}")
    expect(opage2.locator("figure svg")).to_be_visible()
    _shot(officer, "13-rollup")
    opage2.locator("#blank").set_input_files(str(blank_65))
    opage2.locator("#effective_date").fill("2025-01-15")
    for field, value in {
        "contact_name": "Ivo Kestrel",
        "contact_phone": "+49 30 1234 5678",
        "authorizer_name": "Mara Kestrel",
        "authorizer_title": "Managing Director",
        "authorizer_email": ADMIN,
        "authorizer_phone": "+49 30 1234 5600",
    }.items():
        opage2.locator(f"#{field}").fill(value)
    opage2.get_by_role("button", name="Fill the template").click()
    _wait_for_job(officer)
    _shot(officer, "14-export-job")
    with opage2.expect_download() as download:
        opage2.get_by_role("link", name="Open the result").click()
    exported = tmp_path / "kestrel-cmrt-6.5.xlsx"
    download.value.save_as(exported)

    # 11. The export imported again: a CMRT 6.5 with 0 checker errors, no duplicate rows.
    from oretrace.declarations.rmi import parse_template

    parsed = parse_template(exported.read_bytes(), exported.name)
    assert (parsed.family, parsed.version) == ("CMRT", "6.5")
    assert parsed.errors == [], [e.message for e in parsed.errors]
    keys = [(r.metal, r.smelter_id or r.smelter_name) for r in parsed.smelters]
    assert len(keys) == len(set(keys)), "duplicate smelter rows in the export"
    officer.goto("/declarations/")
    opage2.locator("#files").set_input_files(str(exported))
    opage2.get_by_role("button", name="Import").click()
    files_table = opage2.locator("#batch-files")
    first = files_table.locator("tbody tr").first
    expect(first).to_contain_text("imported", timeout=JOB_TIMEOUT_MS)
    expect(first).to_contain_text("0 checker errors")
    expect(first.locator("td").nth(2)).to_have_text("0")
    _shot(officer, "15-export-reimported")
    for session in (admin, colleague, operator):
        assert session.csp_violations() == []
    # (the operator, a staff user of no organisation, is answered 403 on the dashboard)
    for session in (admin, colleague):
        assert session.console_errors == [], session.console_errors


def _count(text: str) -> int:
    found = re.search(r"(\d+)", text.replace(",", ""))
    return int(found.group(1)) if found and "Nothing" not in text else 0
