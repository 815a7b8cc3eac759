"""The site crawler (``crawl.py``) over the demo, and pages planted to prove its checks bite.

``test_crawl_every_page`` logs in as every demo persona, reaches every URL pattern of the site and
checks each page in en, fr and hi at 390 and 1280 px; its report is ``artifacts/crawl/report.md``.
Failures that other work owns today are listed, by rule, in ``crawl_known_failures.toml``; an
entry that no longer fails is refused, so the list only shrinks.

Run with ``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser tests/browser/test_crawl.py``
(needs ``npm ci`` for axe-core). To crawl a stack you already run (``make run``), set
``ORETRACE_CRAWL_URL=http://127.0.0.1:8000`` and ``ORETRACE_CRAWL_DATA_DIR`` to its data folder,
where ``oretrace demo``'s output is kept as ``demo.log``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from browser import crawl
from browser.crawl_sources import Sources

pytestmark = pytest.mark.browser

LOG_SEED_WAIT_S = 60.0  # the worker mails the demo campaign's links soon after it starts
LOG_QUIET_S = 15.0
PLANTED = Path(__file__).with_name("crawl_planted")


@dataclass
class Target:
    base_url: str
    password: str
    personas: list[str]
    logs: list[Path]
    data_dir: Path


def _personas(demo_output: str) -> tuple[str, list[str]]:
    """The password and the e-mail of every login ``oretrace demo`` printed."""
    password = re.search(r"password for all: (\S+?)\)", demo_output)
    assert password, "`oretrace demo` printed no password"
    emails = re.findall(r"^\s+(\S+@\S+\.\S+)\s", demo_output, re.MULTILINE)
    assert emails, "`oretrace demo` printed no logins"
    return password.group(1), emails


@pytest.fixture(scope="module")
def target(request: pytest.FixtureRequest) -> Target:
    url = os.environ.get("ORETRACE_CRAWL_URL")
    if url:  # a stack the developer runs
        data_dir = Path(os.environ["ORETRACE_CRAWL_DATA_DIR"])
        password, emails = _personas((data_dir / "demo.log").read_text())
        logs = [data_dir / "serve.log", data_dir / "worker.log"]
        return Target(url.rstrip("/"), password, emails, logs, data_dir)
    stack = request.getfixturevalue("oretrace_stack")
    password, emails = _personas((crawl.REPO_ROOT / "artifacts" / "browser-demo.log").read_text())
    logs = [stack.data_dir / "serve.log", stack.data_dir / "worker.log"]
    return Target(stack.base_url, password, emails, logs, stack.data_dir)


@pytest.fixture(scope="module")
def sources() -> Sources:
    """The English of the source (the planted pages' templates included) and its translations."""
    return Sources.load(crawl.LANGUAGES[1:], extra_templates=[PLANTED / "templates"])


def _form_token(response: Any) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text())
    assert found, f"no CSRF token on {response.url}"
    return found.group(1)


def _log_in(context: Any, target: Target, email: str) -> None:
    login = target.base_url + "/login/"
    token = _form_token(context.request.get(login))
    done = context.request.post(
        login,
        form={"username": email, "password": target.password, "csrfmiddlewaretoken": token},
        headers={"Referer": login},
        max_redirects=0,
    )
    assert done.status == 302, f"{email} could not log in (HTTP {done.status})"


def _ask_password_reset(context: Any, target: Target, email: str) -> None:
    """What a visitor who forgot a password does: the mailed link is a page of its own."""
    url = target.base_url + "/password-reset/"
    token = _form_token(context.request.get(url))
    context.request.post(
        url,
        form={"email": email, "csrfmiddlewaretoken": token},
        headers={"Referer": url},
        max_redirects=0,
    )


def _fetcher(context: Any) -> Any:
    def fetch(url: str) -> Any:
        return context.request.get(url, max_redirects=0, fail_on_status_code=False, timeout=60_000)

    return fetch


def _discover(browser: Any, target: Target, discovery: crawl.Discovery) -> dict[str, Any]:
    """Pass 1 as every persona; returns each persona's logged-in storage state."""
    personas = [crawl.ANONYMOUS, *target.personas]
    contexts = {p: browser.new_context() for p in personas}
    try:
        _ask_password_reset(contexts[crawl.ANONYMOUS], target, target.personas[-1])
        seeds = ["/" + p.route for p in discovery.patterns if not p.params and not p.outside]
        for persona in personas:
            if persona != crawl.ANONYMOUS:
                _log_in(contexts[persona], target, persona)
            discovery.crawl(persona, _fetcher(contexts[persona]), target.base_url, seeds)
        # Pages reached by e-mail or by other clients (a witness fetching tiles): the logs;
        # and the tiles a verifier reads first for the published checkpoint.
        checkpoint = contexts[crawl.ANONYMOUS].request.get(target.base_url + "/ledger/checkpoint")
        tiles = crawl.tile_seeds(checkpoint.text()) if checkpoint.ok else []
        deadline = time.monotonic() + LOG_SEED_WAIT_S
        known: set[str] = set()
        quiet_since = time.monotonic()
        while True:
            seeds = tiles + crawl.log_seeds(target.base_url, target.logs)
            if not set(seeds) <= known:
                known |= set(seeds)
                quiet_since = time.monotonic()
            for persona in personas:
                discovery.crawl(persona, _fetcher(contexts[persona]), target.base_url, seeds)
            unreached = discovery.unreached_failures()
            now = time.monotonic()
            # Until nothing is missing, or the logs have had nothing new for a while.
            if not unreached or now > deadline or now - quiet_since > LOG_QUIET_S:
                break
            time.sleep(2)
        # An action refuses GET whatever its arguments: probe the rest with stand-in values
        # (as each persona, since a view first checks who asks).
        for pattern in discovery.patterns:
            for persona in target.personas:
                if discovery.kind(pattern) != "unreached" or not pattern.params:
                    break
                discovery.probe(pattern, persona, _fetcher(contexts[persona]), target.base_url)
        return {p: contexts[p].storage_state() for p in personas}
    finally:
        for context in contexts.values():
            context.close()


def _new_context(browser: Any, target: Target, state: Any, language: str, width: int) -> Any:
    phone = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": crawl.HEIGHTS[width]},
        locale=language,
        storage_state=state,
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=1,
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": target.base_url}])
    context.set_default_timeout(30_000)
    return context


def check_page(
    page: Any,
    events: crawl.PageEvents,
    response: Any,
    *,
    language: str,
    sources: Sources | None,
    a11y: bool = True,
) -> dict[str, list[str]]:
    """Every per-page check on a loaded page (``sources`` None: no text check)."""
    found = {
        "status": crawl.check_status(response),
        "overflow": crawl.check_overflow(page),
        "console": crawl.check_console(page, events),
    }
    if sources is not None:
        found["untranslated"] = crawl.check_untranslated(page, language, sources)
    if a11y:
        found["a11y"] = crawl.check_a11y(page)
    return found


def _pages_by_persona(discovery: crawl.Discovery) -> dict[str, list[tuple[str, str]]]:
    """Each page pattern's (name, sample URL), by the persona that reached it."""
    by_persona: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for pattern in discovery.patterns:
        if discovery.kind(pattern) == "page":
            sample = discovery.sample(pattern)
            by_persona[sample.persona].append((pattern.name, sample.url))
    return by_persona


def _check_pages(
    browser: Any,
    target: Target,
    discovery: crawl.Discovery,
    states: dict[str, Any],
    sources: Sources,
    report: crawl.Report,
    shots: Path,
) -> None:
    """Pass 2: each page pattern once, as the persona that reached it, 3 languages x 2 widths."""
    for persona, items in _pages_by_persona(discovery).items():
        for language in crawl.LANGUAGES:
            for width in crawl.WIDTHS:
                context = _new_context(browser, target, states[persona], language, width)
                context.add_init_script(crawl.CSP_LISTENER)
                context.add_init_script(path=str(crawl.AXE_JS))
                page = context.new_page()
                events = crawl.PageEvents()
                events.attach(page)
                try:
                    for name, url in items:
                        events.errors.clear()
                        response = page.goto(target.base_url + url, wait_until="load")
                        # The text and what axe checks hardly change with the width: the
                        # text is read on the desktop, axe runs on the phone.
                        found = check_page(
                            page,
                            events,
                            response,
                            language=language,
                            sources=sources if width == crawl.WIDTHS[-1] else None,
                            a11y=width == crawl.WIDTHS[0],
                        )
                        failures = [
                            crawl.Failure(check, name, url, persona, detail, language, width)
                            for check, details in found.items()
                            for detail in details
                        ]
                        if failures:
                            shot = shots / f"{crawl.slug(name)}-{language}-{width}.png"
                            page.screenshot(path=shot, full_page=True)
                            for failure in failures:
                                failure.screenshot = f"shots/{shot.name}"
                        report.failures += failures
                        report.checked.append(
                            {
                                "pattern": name,
                                "url": url,
                                "persona": persona,
                                "language": language,
                                "width": width,
                                "failures": {k: len(v) for k, v in found.items() if v},
                            }
                        )
                finally:
                    context.close()


def _weigh_pages(
    browser: Any, target: Target, discovery: crawl.Discovery, states: dict[str, Any], report: Any
) -> None:
    """Pass 3: each page cold over the slow link, as a phone, in English."""

    def excluded(url: str, headers: dict) -> bool:
        if "attachment" in headers.get("content-disposition", ""):
            return True  # a file the user downloads: their own upload or an export
        name = crawl.pattern_of(urlsplit(url).path, discovery.urlconf)
        pattern = discovery.by_name.get(name or "")
        return pattern is not None and discovery.kind(pattern) == "data"

    for persona, items in _pages_by_persona(discovery).items():
        context = _new_context(browser, target, states[persona], "en", crawl.WIDTHS[0])
        page = context.new_page()
        try:
            for name, url in items:
                weighed = crawl.weigh(page, target.base_url + url, excluded=excluded)
                report.weighed.append({"pattern": name, "url": url, **weighed.__dict__})
                if weighed.bytes > crawl.WEIGHT_BUDGET:
                    report.failures.append(
                        crawl.Failure(
                            "weight",
                            name,
                            url,
                            persona,
                            f"{weighed.bytes / 1024:.0f} KB transferred "
                            f"(budget {crawl.WEIGHT_BUDGET // 1024} KB)",
                            "en",
                            crawl.WIDTHS[0],
                        )
                    )
                if weighed.seconds > crawl.USABLE_BUDGET_S:
                    report.failures.append(
                        crawl.Failure(
                            "slow",
                            name,
                            url,
                            persona,
                            f"loaded in {weighed.seconds:.1f} s on the slow link "
                            f"(budget {crawl.USABLE_BUDGET_S:.0f} s)",
                            "en",
                            crawl.WIDTHS[0],
                        )
                    )
        finally:
            context.close()


def test_crawl_every_page(
    browser: Any,
    target: Target,
    sources: Sources,
    artifacts: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    assert crawl.AXE_JS.exists(), f"{crawl.AXE_JS} is missing: run `npm ci` at the repository root"
    folder = artifacts / "crawl"
    shutil.rmtree(folder, ignore_errors=True)
    shots = folder / "shots"
    shots.mkdir(parents=True)
    seconds: dict[str, float] = {}

    patterns = crawl.site_patterns()
    discovery = crawl.Discovery(patterns)
    report = crawl.Report(patterns, discovery, seconds=seconds)

    start = time.monotonic()
    states = _discover(browser, target, discovery)
    report.failures += discovery.failures + discovery.unreached_failures()
    crawl.timed(seconds, "discovery", start)

    start = time.monotonic()
    _check_pages(browser, target, discovery, states, sources, report, shots)
    crawl.timed(seconds, "checks", start)

    start = time.monotonic()
    _weigh_pages(browser, target, discovery, states, report)
    crawl.timed(seconds, "slow link", start)

    report.known = crawl.load_known()
    crawl.apply_known(report.failures, report.known)
    report.write(folder)
    crawl.write_suggested_known(report.failures, folder / "known-failures-now.toml")
    with capsys.disabled():
        sys.stdout.write("\n" + report.summary() + "\n")

    new = [f for f in report.failures if not f.known]
    stale = report.stale_known()
    problems = [
        f"{f.check} on {f.pattern} ({f.language} {f.width}px, {f.persona or '—'}, {f.url}): "
        f"{f.detail}"
        for f in new
    ]
    problems += [
        f"stale entry in {crawl.KNOWN_FAILURES.name} (it matches no failure; remove it): "
        f"check={k.check} pattern={k.pattern} detail={k.detail}"
        for k in stale
    ]
    assert not problems, (
        f"{len(new)} new crawler failures, {len(stale)} stale known entries "
        f"(report: {folder / 'report.md'}):\n" + "\n".join(problems[:60])
    )


# --- planted pages ------------------------------------------------------------------------------


@pytest.fixture
def planted(target: Target, artifacts: Path) -> Iterator[Target]:
    """A second ``oretrace serve`` on the same data, with the planted pages' settings."""
    from browser.conftest import (
        _clean_env,
        _free_port,
        _oretrace_command,
        _stop,
        _wait_until_served,
        start_process,
    )

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = _clean_env(target.data_dir)
    env.update(
        DJANGO_SETTINGS_MODULE="browser.crawl_planted.settings",
        PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[1]), env.get("PYTHONPATH", "")]),
        ORETRACE_BASE_URL=base,
    )
    log = artifacts / "crawl-planted-serve.log"
    serve = [*_oretrace_command(), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    proc = start_process(serve, env, target.data_dir, log)
    try:
        _wait_until_served(base + "/login/", proc, log)
        yield Target(base, target.password, target.personas, [log], target.data_dir)
    finally:
        _stop(proc, "planted serve")


def test_planted_pages_fail_the_checks(browser: Any, planted: Target, sources: Sources) -> None:
    """A page added without translations, one that overflows on a phone, one nothing links to."""
    urlconf = "browser.crawl_planted.urls"
    # given the project's URLs and three planted ones, found by the resolver
    patterns = crawl.site_patterns(urlconf)
    planted_names = {"planted_untranslated", "planted_overflowing", "planted_hidden"}
    assert planted_names <= {p.name for p in patterns}
    assert len(patterns) == len(crawl.site_patterns()) + 3

    # when the crawler discovers them, then the page with a parameter nothing fills fails "reach"
    discovery = crawl.Discovery(patterns, urlconf=urlconf)
    context = browser.new_context()
    seeds = ["/" + p.route for p in patterns if p.name in planted_names and not p.params]
    discovery.crawl(crawl.ANONYMOUS, _fetcher(context), planted.base_url, seeds)
    context.close()
    kinds = {p.name: discovery.kind(p) for p in patterns if p.name in planted_names}
    assert kinds == {
        "planted_untranslated": "page",
        "planted_overflowing": "page",
        "planted_hidden": "unreached",
    }
    unreached = [f for f in discovery.unreached_failures() if f.pattern in planted_names]
    assert [f.pattern for f in unreached] == ["planted_hidden"]
    assert "planted_hidden" in unreached[0].detail

    # the untranslated page fails the text check in French and Hindi, not in English
    for language in crawl.LANGUAGES:
        context = _new_context(browser, planted, None, language, 1280)
        page = context.new_page()
        page.goto(planted.base_url + "/planted/untranslated/")
        found = crawl.check_untranslated(page, language, sources)
        context.close()
        if language == "en":
            assert found == []
        else:
            assert "“A planted heading that no catalogue holds”" in found, (language, found)
            assert "“This sentence was planted without any translation”" in found, found
            # by rule, not by page: text not to be translated (translate="no", code) and
            # text in a language of its own (lang, WCAG 3.1.2) are not checked
            for kept in (
                "This sentence is marked as not to be translated",
                "This command reads like an English sentence",
                "This quotation is marked as written in English",
            ):
                assert f"“{kept}”" not in found, (kept, found)

    # the overflowing page fails the overflow check on a phone and names the wide box
    for width in crawl.WIDTHS:
        context = _new_context(browser, planted, None, "en", width)
        page = context.new_page()
        page.goto(planted.base_url + "/planted/overflowing/")
        found = crawl.check_overflow(page)
        context.close()
        if width < 600:
            assert found, "the planted page does not overflow on a phone"
            assert "div.planted-wide 9" in found[0], found
        else:
            assert found == [], found

    # and no known-failure entry excuses a planted page
    failures = [
        crawl.Failure("untranslated", "planted_untranslated", "/planted/untranslated/", "", "x"),
        crawl.Failure("overflow", "planted_overflowing", "/planted/overflowing/", "", "x"),
        crawl.Failure("reach", "planted_hidden", "/planted/hidden/<int:thing_id>/", "", "x"),
    ]
    crawl.apply_known(failures, crawl.load_known())
    assert [f.known for f in failures] == ["", "", ""]
