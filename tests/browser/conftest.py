"""Fixtures for the browser tests: a real oretrace (serve + worker) and a real Chromium.

The tests marked ``browser`` run only when ``ORETRACE_BROWSER_TESTS=1`` is set (``.ci/run`` sets
it), so that ``make test`` stays fast and needs no browser. They need Debian's Chromium at
``/usr/bin/chromium`` (or ``ORETRACE_CHROMIUM``); Playwright's own browser downloads are never
used. Screenshots and the server's logs go to ``artifacts/`` at the repository root.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts"
CHROMIUM = os.environ.get("ORETRACE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ENABLED = os.environ.get("ORETRACE_BROWSER_TESTS", "") == "1"
SERVER_START_TIMEOUT = 60.0
MAIL_TIMEOUT_S = 90.0
# The links the mails carry, as patterns of their paths.
INVITATION_PATH = r"/invitation/[A-Za-z0-9_-]+/"
RESPOND_PATH = r"/respond/[A-Za-z0-9_-]+/"
# A phone's screen, the size the pages are checked at for sideways scrolling.
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser tests unless they are asked for with ORETRACE_BROWSER_TESTS=1."""
    if ENABLED:
        return
    skip = pytest.mark.skip(
        reason="browser test: set ORETRACE_BROWSER_TESTS=1 to run it "
        "(needs /usr/bin/chromium; `.ci/run` does this)"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# --- the real oretrace ------------------------------------------------------------------------


@dataclass
class Stack:
    base_url: str
    password: str
    data_dir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path


def _oretrace_command() -> list[str]:
    script = Path(sys.executable).with_name("oretrace")
    return [str(script)] if script.exists() else [sys.executable, "-m", "oretrace.cli"]


def _clean_env(data_dir: Path) -> dict[str, str]:
    """The environment of a local trial: none of the test run's ORETRACE_* settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ORETRACE_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(ORETRACE_DEBUG="true", ORETRACE_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path} does not exist)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _wait_until_served(url: str, proc: subprocess.Popen, log: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy for loopback
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    last_error: object = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"`oretrace serve` exited with {proc.returncode}:\n{_tail(log)}")
        try:
            with opener.open(url, timeout=5) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = exc
        time.sleep(0.25)
    raise RuntimeError(
        f"`oretrace serve` did not answer {url} within {SERVER_START_TIMEOUT:.0f} s "
        f"(last error: {last_error}):\n{_tail(log)}"
    )


def _stop(proc: subprocess.Popen, name: str) -> None:
    """Stop one process we started, by its PID: SIGTERM, then SIGKILL after a grace period."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        sys.stderr.write(f"browser tests: {name} (pid {proc.pid}) ignored SIGTERM; killing it\n")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def run_oretrace(env: Mapping[str, str], cwd: Path, *args: str, log: str = "") -> str:
    """``oretrace <args>``: what it printed, or the test fails showing it. Its output is kept
    as ``artifacts/<log>.log`` when ``log`` is named."""
    done = subprocess.run(
        [*_oretrace_command(), *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if log:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"{log}.log").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, (
        f"`oretrace {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


def make_operator(data_dir: Path, email: str, password: str) -> None:
    """A staff user, as an operator makes one (`oretrace createsuperuser`)."""
    env = {**_clean_env(data_dir), "DJANGO_SUPERUSER_PASSWORD": password}
    run_oretrace(env, data_dir, "createsuperuser", "--noinput", "--email", email)


def start_process(
    argv: list[str], env: Mapping[str, str], cwd: Path, log: Path
) -> subprocess.Popen:
    """A long-running process (``serve``, ``worker``), its output written to ``log``."""
    with log.open("w") as out:
        return subprocess.Popen(
            argv,
            env=dict(env),
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


@dataclass
class Site:
    """A fresh oretrace before it serves: its data folder, its port and the environment of a
    local trial (none of the test run's ORETRACE_* settings), its base URL on that port."""

    data_dir: Path
    port: int = field(default_factory=_free_port)
    env: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.env = {**_clean_env(self.data_dir), "ORETRACE_BASE_URL": self.base_url}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str, log: str = "") -> str:
        """``oretrace <args>`` in the data folder (see ``run_oretrace``)."""
        return run_oretrace(self.env, self.data_dir, *args, log=log)

    @contextmanager
    def serving(
        self, password: str, *, logs_as: str, more: Mapping[str, list[str]] | None = None
    ) -> Iterator[Stack]:
        """``serve`` and ``worker`` (and the ``oretrace`` commands ``more`` names) until the
        block ends, then stopped by PID; each one's log is copied to
        ``artifacts/<logs_as>-<name>.log``."""
        command = _oretrace_command()
        argv = {
            "serve": [*command, "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"],
            "worker": [*command, "worker"],
            **{name: [*command, *args] for name, args in (more or {}).items()},
        }
        stack = Stack(base_url=self.base_url, password=password, data_dir=self.data_dir)
        logs = {name: self.data_dir / f"{name}.log" for name in argv}
        try:
            for name, args in argv.items():
                stack.processes[name] = start_process(args, self.env, self.data_dir, logs[name])
            _wait_until_served(stack.url("/login/"), stack.processes["serve"], logs["serve"])
            yield stack
        finally:
            for name, proc in stack.processes.items():
                _stop(proc, name)
            ARTIFACTS.mkdir(exist_ok=True)
            for name, log in logs.items():
                if log.exists():
                    shutil.copyfile(log, ARTIFACTS / f"{logs_as}-{name}.log")


SMS_KEY = "browser-test-sms-signing-key"  # the stack's SMS webhook signing key


@pytest.fixture(scope="session")
def oretrace_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`oretrace setup` + `demo` on a fresh SQLite database, then `serve` and `worker`, with a
    local witness as `make run` has: configured before the demo, which has it cosign its
    checkpoint, then following the served log."""
    site = Site(tmp_path_factory.mktemp("oretrace-data"))
    witness = site.data_dir / "witness"
    key = ["--key-file", str(witness / "witness.key")]
    made = site.run("witness", "init", "--name", "localhost/demo-witness", *key)
    site.env["ORETRACE_LEDGER_WITNESSES"] = made.strip()
    # the grievance channels' SMS webhook on (test_grievances.py posts a signed SMS to it)
    site.env["ORETRACE_GRIEVANCE_SMS_ANDROID_KEY"] = SMS_KEY
    site.run("setup", log="browser-setup")
    demo = site.run("demo", log="browser-demo")
    printed = re.search(r"password for all: (\S+?)\)", demo)
    assert printed, f"`oretrace demo` printed no password:\n{demo}"
    log_vkey = site.run("ledger", "vkey").strip()
    cosign = ["witness", "cosign", f"{site.base_url}/ledger", "--log-key", log_vkey, *key]
    cosign += ["--state", str(witness / "witness-state.json"), "--every", "2"]
    with site.serving(printed.group(1), logs_as="browser", more={"witness": cosign}) as stack:
        yield stack


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``artifacts/`` at the repository root (ignored by git), for screenshots and logs."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- the real Chromium ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright  # only when the tests run

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# Records Content-Security-Policy violations as the page sees them (console messages aside).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline'));
});
"""


@dataclass
class Session:
    """One browser context (its own cookies) and its page, with what the console reported."""

    page: object
    stack: Stack
    console_errors: list[str] = field(default_factory=list)

    def record_console(self, message: object) -> None:
        if message.type != "error":  # type: ignore[attr-defined]
            return
        url = message.location.get("url", "")  # type: ignore[attr-defined]
        self.console_errors.append(f"{message.text} ({url})")  # type: ignore[attr-defined]

    def goto(self, path: str) -> None:
        self.page.goto(self.stack.url(path))  # type: ignore[attr-defined]

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations || []"))  # type: ignore[attr-defined]

    def submit_login(self, email: str, password: str = "") -> None:
        """Fill the login form with ``email`` and ``password`` (the stack's by default) and
        send it, whatever the answer (see ``log_in``)."""
        page = self.page
        self.goto("/login/")
        page.get_by_label("E-mail address").fill(email)  # type: ignore[attr-defined]
        page.get_by_label("Password").fill(password or self.stack.password)  # type: ignore[attr-defined]
        page.get_by_role("button", name="Log in").click()  # type: ignore[attr-defined]

    def log_in(self, email: str) -> None:
        from playwright.sync_api import expect

        self.submit_login(email)
        expect(self.page.locator("header .who")).to_have_text(email)  # type: ignore[attr-defined]

    def invite(self, email: str, role: str = "Compliance officer") -> str:
        """Invite ``email`` as ``role`` from the organisation page (the session is its
        administrator's); the path of the invitation link the worker mailed."""
        from playwright.sync_api import expect

        page = self.page
        log = self.stack.data_dir / "worker.log"
        mark = len(log.read_text(errors="replace"))
        self.goto("/organisation/")
        page.get_by_label("E-mail address").fill(email)  # type: ignore[attr-defined]
        page.get_by_label(role).check()  # type: ignore[attr-defined]
        page.get_by_role("button", name="Send the invitation").click()  # type: ignore[attr-defined]
        expect(page.get_by_role("status")).to_contain_text(f"An e-mail invites {email}")  # type: ignore[attr-defined]
        return mail_link(log, email, mark, INVITATION_PATH)


@contextmanager
def sessions(
    request: pytest.FixtureRequest, browser: object, stack: Stack, *, timeout_ms: int = 20_000
) -> Iterator[Callable[..., Session]]:
    """``open(name)`` gives a fresh logged-out browser context on ``stack`` (``as_user=email``:
    logged in; ``phone=True``: then turned to a 390 px phone, ``PHONE``; ``at=path``: on that
    page); each is closed when the block ends, after a
    screenshot if the test failed."""
    opened: list[tuple[str, object, Session]] = []

    def factory(name: str, *, as_user: str = "", at: str = "", phone: bool = False) -> Session:
        context = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": 1280, "height": 900}, locale="en"
        )
        context.set_default_timeout(timeout_ms)
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        session = Session(page=page, stack=stack)
        page.on("console", session.record_console)
        page.on("pageerror", lambda exc: session.console_errors.append(f"page error: {exc}"))
        opened.append((name, context, session))
        if as_user:
            session.log_in(as_user)
        if phone:
            page.set_viewport_size(PHONE)
        if at:
            session.goto(at)
        return session

    yield factory
    report = getattr(request.node, "report_call", None)
    for name, context, session in opened:
        if report is not None and report.failed:
            session.page.screenshot(  # type: ignore[attr-defined]
                path=ARTIFACTS / f"failed-{request.node.name}-{name}.png", full_page=True
            )
        context.close()  # type: ignore[attr-defined]


@pytest.fixture
def open_session(
    request: pytest.FixtureRequest, browser: object, oretrace_stack: Stack
) -> Iterator[Callable[[str], Session]]:
    """``open_session(name)`` gives a fresh logged-out browser context; closed after the test."""
    with sessions(request, browser, oretrace_stack) as factory:
        yield factory


# --- what a page shows and what the database holds ------------------------------------------


def sideways(page: object) -> int:
    """How many pixels ``page`` scrolls sideways: 0 or less when it fits its viewport."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))  # type: ignore[attr-defined]


def assert_fits(page: object, what: str) -> None:
    """``page`` (``what``, for the message) does not scroll sideways."""
    extra = sideways(page)
    assert extra <= 0, f"{what} scrolls sideways by {extra} px"


def tables_holding(database: Path, needle: str) -> list[str]:
    """Every table.column of the stack's SQLite ``database`` whose text holds ``needle``: where
    a name or an address that must be stored nowhere in clear would show."""
    found = []
    with sqlite3.connect(database) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for column in [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]:
                sql = f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ?'  # noqa: S608
                if db.execute(sql, [f"%{needle}%"]).fetchone()[0]:
                    found.append(f"{table}.{column}")
    return found


# --- the mail the worker printed --------------------------------------------------------------


def mail_to(log: Path, email: str, after: int, pattern: str) -> re.Match[str]:
    """The first match of ``pattern`` in the e-mails to ``email`` that the worker printed (the
    console mail backend) after character ``after`` of its ``log``; its ``string`` is the text
    from the mail's ``To:`` on. Waits up to MAIL_TIMEOUT_S for it."""
    deadline = time.monotonic() + MAIL_TIMEOUT_S
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")[after:].replace("=\n", "")
        at = text.find(f"To: {email}")
        found = re.search(pattern, text[at:]) if at >= 0 else None
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"no mail to {email} with {pattern} in {log} within {MAIL_TIMEOUT_S} s")


def mail_link(log: Path, email: str, after: int, path: str) -> str:
    """The path of the first link matching ``path`` (a pattern) in a mail to ``email``."""
    return mail_to(log, email, after, r"http://[^\s/]+(" + path + ")").group(1)
