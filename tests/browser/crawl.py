"""The site crawler: every URL pattern, every demo persona, three languages, two widths.

``test_crawl.py`` drives it against the browser tests' real ``oretrace serve`` + ``worker`` with
the demo; ``docs/development/crawler.md`` explains it. It works in three passes:

1. **Discover.** The URL patterns come from Django's resolver (``site_patterns``), never from a
   hand list. Logged in as each demo persona (and as nobody), it follows every same-site link,
   form action and htmx URL of every page it gets, starting from the patterns that take no
   parameter; URLs that reach users by other ways (the links of the e-mails the worker printed,
   the requests in the server's access log such as a witness's tile fetches) are tried as well.
   A pattern is then classified by what the server answered, by rule: a **page** (HTML to some
   persona), **data** (any other content type, or an attachment), an **action** (it refuses
   GET with 405), a **redirect**; the admin site and the API are not pages of the site. A
   pattern none of this reaches is a failure that names it: a new page cannot hide.
2. **Check.** One URL per page pattern, as the persona that reached it, in en, fr and hi at 390
   and 1280 px: each check below is a function of a Playwright page, so a test can run it on
   a page planted for the purpose.
3. **Weigh.** The same URLs once more, cold, over an emulated slow link (1.6 Mbit/s, 300 ms
   round trip): the bytes transferred and the time until the page has loaded.

The report goes to ``artifacts/crawl/`` (``report.md``, ``report.json``, a screenshot of every
failure).
"""

from __future__ import annotations

import json
import re
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
KNOWN_FAILURES = Path(__file__).with_name("crawl_known_failures.toml")

LANGUAGES = ("en", "fr", "hi")
WIDTHS = (390, 1280)
HEIGHTS = {390: 844, 1280: 900}
WEIGHT_BUDGET = 150 * 1024  # bytes transferred, compressed as served
USABLE_BUDGET_S = 3.0
SLOW_LINK = {
    "offline": False,
    "latency": 300,  # ms round trip
    "downloadThroughput": 1_600_000 / 8,  # 1.6 Mbit/s in bytes/s
    "uploadThroughput": 750_000 / 8,
}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_IMPACTS = ("serious", "critical")
CHECKS = ("status", "reach", "overflow", "console", "untranslated", "a11y", "weight", "slow")
ANONYMOUS = "anonymous"

# Included URLconfs that are not pages of the site, by their application name.
OUTSIDE_APPS = {"admin": "admin site (Django's, staff only)", "ninja": "API (django-ninja)"}

# Discovery: how many URLs of one pattern to fetch, per persona and in all (list filters,
# pagination and the hundredth declaration add nothing the first ones did not show).
PER_PERSONA = 1
PER_PATTERN = 4


# --- URL patterns --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlPattern:
    name: str  # "declarations:detail"
    route: str  # "declarations/<int:declaration_id>/"
    params: tuple[str, ...]
    outside: str = ""  # why it is not a page of the site by construction ("admin site", "API")


def site_patterns(urlconf: str | None = None) -> list[UrlPattern]:
    """Every URL pattern of ``urlconf`` (the project's by default), walked from the resolver."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[UrlPattern] = []
    mounts: dict[str, str] = {}  # where the admin site and the API are mounted, and which

    def walk(patterns: list, prefix: str, namespace: str, outside: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern).lstrip("^").rstrip("$")
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                why = outside or OUTSIDE_APPS.get(p.app_name or "", "")
                if why and not outside:
                    mounts[route] = why
                walk(p.url_patterns, route, ns, why)
            elif isinstance(p, URLPattern):
                found.append(
                    UrlPattern(
                        name=f"{namespace}{p.name}" if p.name else route,
                        route=route,
                        params=tuple(p.pattern.regex.groupindex),
                        outside=outside,
                    )
                )

    walk(get_resolver(urlconf).url_patterns, "", "", "")
    # What else is mounted under the admin's or the API's prefix (the API's own 404) is theirs.
    return [
        p
        if p.outside
        else UrlPattern(
            p.name,
            p.route,
            p.params,
            next((why for mount, why in mounts.items() if p.route.startswith(mount)), ""),
        )
        for p in found
    ]


def pattern_of(path: str, urlconf: str | None = None) -> str | None:
    """The name of the pattern that serves ``path`` (as ``site_patterns`` names it)."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    if match.url_name:
        return match.view_name
    return match.route.lstrip("^").rstrip("$")


# --- links in a page -----------------------------------------------------------------------------


class _Links(HTMLParser):
    URL_ATTRIBUTES = ("href", "src", "action", "formaction", "hx-get", "hx-post", "data-url")

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("rel") not in (None, "alternate"):
            return  # stylesheets and icons are weighed, not crawled
        for name in self.URL_ATTRIBUTES:
            value = values.get(name)
            if value is not None:
                self.urls.append(value)
        if tag == "form" and values.get("action") is None:
            self.urls.append("")  # a form without action posts to its own page


def links_in(html: str, base: str) -> list[str]:
    """Same-site paths (with their query) that a page links to, posts to or loads."""
    parser = _Links()
    parser.feed(html)
    origin = urlsplit(base)
    paths = []
    for raw in parser.urls:
        url = urlsplit(urljoin(base, raw.strip()))
        if (url.scheme, url.netloc) != (origin.scheme, origin.netloc):
            continue
        if url.path.startswith(("/static/", "/media/")):
            continue
        paths.append(url.path + (f"?{url.query}" if url.query else ""))
    return paths


# --- pass 1: discovery ---------------------------------------------------------------------------


@dataclass
class Visit:
    persona: str
    url: str
    status: int
    content_type: str
    attachment: bool = False

    @property
    def html(self) -> bool:
        return self.status == 200 and self.content_type.startswith("text/html")


@dataclass
class Failure:
    check: str
    pattern: str
    url: str
    persona: str
    detail: str
    language: str = ""
    width: int = 0
    screenshot: str = ""
    known: str = ""  # the known-failures entry that accepts it, if any

    def key(self) -> tuple:
        return (self.check, self.pattern, self.language, self.width, self.detail)


@dataclass
class Discovery:
    patterns: list[UrlPattern]
    urlconf: str | None = None
    visits: dict[str, list[Visit]] = field(default_factory=lambda: defaultdict(list))
    failures: list[Failure] = field(default_factory=list)
    fetched: set[tuple[str, str]] = field(default_factory=set)
    per_persona: Counter = field(default_factory=Counter)
    per_pattern: Counter = field(default_factory=Counter)
    outside: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name = {p.name: p for p in self.patterns}

    def crawl(
        self, persona: str, fetch: Callable[[str], Any], base_url: str, seeds: Iterable[str]
    ) -> None:
        """Follow every link ``persona`` sees, from ``seeds`` (``fetch`` is the context's GET)."""
        queue = list(seeds)
        while queue:
            path = queue.pop(0)
            name = pattern_of(urlsplit(path).path, self.urlconf)
            if name is None:
                continue
            pattern = self.by_name.get(name)
            if pattern is not None and pattern.outside:
                continue
            if (persona, path) in self.fetched:
                continue
            # Every persona opens each page without parameters (its own lists); pages with
            # parameters and query strings are sampled.
            hub = pattern is not None and not pattern.params and "?" not in path
            if not hub and (
                self.per_persona[persona, name] >= PER_PERSONA
                or (
                    self.per_pattern[name] >= PER_PATTERN and any(v.html for v in self.visits[name])
                )
            ):
                continue
            self.fetched.add((persona, path))
            self.per_persona[persona, name] += 1
            self.per_pattern[name] += 1
            response = fetch(base_url + path)
            headers = response.headers
            visit = Visit(
                persona=persona,
                url=path,
                status=response.status,
                content_type=headers.get("content-type", ""),
                attachment="attachment" in headers.get("content-disposition", ""),
            )
            self.visits[name].append(visit)
            if visit.status >= 500:
                self.failures.append(
                    Failure("status", name, path, persona, f"HTTP {visit.status} on GET")
                )
            if 300 <= visit.status < 400 and headers.get("location"):
                target = urlsplit(urljoin(base_url + path, headers["location"]))
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
            if visit.html:
                queue.extend(links_in(response.text(), base_url + path))

    def probe(
        self, pattern: UrlPattern, persona: str, fetch: Callable[[str], Any], base: str
    ) -> None:
        """GET the pattern with stand-in arguments: only an action's 405 says anything."""
        path = "/" + re.sub(
            r"<(?:(\w+):)?\w+>|\(\?P<\w+>[^)]*\)",
            lambda m: "1" if m.group(1) == "int" else "x",
            pattern.route,
        )
        response = fetch(base + path)
        if response.status == 405:
            self.visits[pattern.name].append(
                Visit(persona, path, 405, response.headers.get("content-type", ""))
            )

    def kind(self, pattern: UrlPattern) -> str:
        """page / data / action / redirect / outside / unreached, by what the server answered."""
        if pattern.outside:
            return "outside"
        visits = self.visits.get(pattern.name, [])
        if any(v.html and not v.attachment for v in visits):
            return "page"
        if any(v.status == 200 for v in visits):
            return "data"
        if any(v.status == 405 for v in visits):
            return "action"
        if any(300 <= v.status < 400 for v in visits):
            return "redirect"
        return "unreached"

    def sample(self, pattern: UrlPattern) -> Visit:
        """The URL the checks use: the first HTML answer, anonymous ones first."""
        pages = [v for v in self.visits[pattern.name] if v.html and not v.attachment]
        pages.sort(key=lambda v: v.persona != ANONYMOUS)
        return pages[0]

    def unreached_failures(self) -> list[Failure]:
        return [
            Failure(
                "reach",
                p.name,
                "/" + p.route,
                "",
                f"no demo persona reached {p.name} (/{p.route}): no link, form or e-mail leads "
                "to it, or no demo object fills its parameters",
            )
            for p in self.patterns
            if self.kind(p) == "unreached"
        ]


def log_seeds(base_url: str, logs: Iterable[Path]) -> list[str]:
    """Paths of the site in the servers' logs: links in printed e-mails, requests logged."""
    host = re.escape(urlsplit(base_url).netloc)
    found: list[str] = []
    for log in logs:
        if not log.exists():
            continue
        text = log.read_text(errors="replace").replace("=\n", "")  # quoted-printable breaks
        found += re.findall(rf"https?://{host}(/[^\s\"'<>]*)", text)
        found += re.findall(r'"GET (/\S*) HTTP/1\.[01]" [23]\d\d', text)
    return list(dict.fromkeys(found))


def tile_seeds(checkpoint: str) -> list[str]:
    """The first tiles a verifier fetches for a checkpoint (c2sp.org/tlog-tiles): level 0 and
    the entry bundle, full or partial, read from the tree size on the checkpoint's 2nd line."""
    lines = checkpoint.splitlines()
    if len(lines) < 2 or not lines[1].isdigit() or int(lines[1]) == 0:
        return []
    size = int(lines[1])
    suffix = "" if size >= 256 else f".p/{size}"
    return [f"/ledger/tile/0/000{suffix}", f"/ledger/tile/entries/000{suffix}"]


# --- pass 2: the checks, each a function of a page -----------------------------------------------

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')
    + (e.sourceFile ? ' at ' + e.sourceFile + ':' + e.lineNumber : ''));
});
"""

OVERFLOW_JS = """
() => {
  const root = document.documentElement;
  const viewport = root.clientWidth;
  const width = Math.max(root.scrollWidth, document.body ? document.body.scrollWidth : 0);
  if (width <= viewport) return null;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const clips = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const wide = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > viewport + 1 && !clips(el)) wide.add(el);
  }
  const right = (el) => Math.round(el.getBoundingClientRect().right);
  const culprits = [...wide].filter((el) => !wide.has(el.parentElement))
    .sort((a, b) => right(b) - right(a)).slice(0, 4).map((el) => name(el) + ' ' + right(el) + 'px');
  return {width, viewport, culprits};
}
"""

TEXTS_JS = """
() => {
  const page = (document.documentElement.lang || '').split('-')[0];
  const skip = 'script,style,noscript,template,code,kbd,samp,pre,var,[translate="no"]';
  const foreign = (el) => {
    const marked = el.closest('[lang]');
    return marked && marked !== document.documentElement && marked.lang.split('-')[0] !== page;
  };
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    const text = walker.currentNode.nodeValue.trim();
    if (text && el && !el.closest(skip) && !foreign(el)) texts.push(text);
  }
  const attrs = ['placeholder', 'aria-label', 'title', 'alt'];
  const labelled = '[placeholder],[aria-label],[title],img[alt],'
    + 'input[type=submit],input[type=button]';
  for (const el of document.body.querySelectorAll(labelled)) {
    if (el.closest(skip) || foreign(el)) continue;
    for (const a of attrs) if (el.getAttribute(a)) texts.push(el.getAttribute(a));
    if (el.type === 'submit' || el.type === 'button') texts.push(el.value || '');
  }
  return texts;
}
"""

AXE_RUN_JS = """
async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
  }));
}
"""


@dataclass
class PageEvents:
    """What a page reported while it loaded: console errors and uncaught exceptions."""

    errors: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.errors.append(f"{message.text}" + (f" ({where})" if where else ""))


def check_overflow(page: Any) -> list[str]:
    """Horizontal scrolling: the document is wider than the viewport."""
    found = page.evaluate(OVERFLOW_JS)
    if not found:
        return []
    culprits = ", ".join(found["culprits"]) or "no single element"
    return [f"{found['width']} px wide in a {found['viewport']} px viewport ({culprits})"]


def check_console(page: Any, events: PageEvents) -> list[str]:
    """Console errors, uncaught exceptions and Content-Security-Policy violations."""
    csp = page.evaluate("window.__cspViolations || []")
    return [*events.errors, *(f"CSP: {v}" for v in csp)]


def page_texts(page: Any) -> list[str]:
    return list(page.evaluate(TEXTS_JS))


def check_untranslated(page: Any, language: str, sources: Any) -> list[str]:
    """Texts of a page in ``language`` that are still the English source (see crawl_sources).

    A page the reader asked for in another language by its address (``?lang=en``, the
    anonymous grievance pages' language links: they keep no cookie) is checked in that one.
    """
    asked = parse_qs(urlsplit(page.url).query).get("lang")
    if asked:
        language = asked[0].split("-")[0]
    if language == "en":
        return []
    return [f"“{t}”" for t in sources.untranslated(page_texts(page), language)]


def check_a11y(page: Any) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA violations found by axe-core (injected by the test)."""
    violations = page.evaluate(AXE_RUN_JS, AXE_TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {'; '.join(v['nodes'])}"
        for v in violations
        if v["impact"] in AXE_IMPACTS
    ]


def check_status(response: Any) -> list[str]:
    if response is None:
        return ["no response"]
    return [f"HTTP {response.status}"] if response.status >= 500 else []


@dataclass
class Weighed:
    bytes: int
    seconds: float
    requests: int


def weigh(page: Any, url: str, *, excluded: Callable[[str, dict], bool]) -> Weighed:
    """Load ``url`` cold over the slow link; bytes on the wire and seconds until ``load``.

    Responses that ``excluded(url, headers)`` says are the user's own uploads do not count.
    """
    cdp = page.context.new_cdp_session(page)
    sizes: dict[str, int] = {}
    skipped: set[str] = set()

    def responded(event: dict) -> None:
        response = event["response"]
        if excluded(response["url"], {k.lower(): v for k, v in response["headers"].items()}):
            skipped.add(event["requestId"])

    def finished(event: dict) -> None:
        sizes[event["requestId"]] = int(event["encodedDataLength"])

    cdp.on("Network.responseReceived", responded)
    cdp.on("Network.loadingFinished", finished)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
    try:
        page.goto(url, wait_until="load", timeout=60_000)
        seconds = page.evaluate(
            "() => performance.getEntriesByType('navigation')[0].loadEventEnd / 1000"
        )
    finally:
        cdp.send(
            "Network.emulateNetworkConditions",
            {**SLOW_LINK, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        cdp.detach()
    counted = {k: v for k, v in sizes.items() if k not in skipped}
    return Weighed(bytes=sum(counted.values()), seconds=float(seconds), requests=len(counted))


# --- known failures ------------------------------------------------------------------------------


@dataclass
class KnownFailure:
    check: str
    pattern: str  # a regex on the URL pattern's name (fullmatch)
    detail: str  # a regex searched in the failure's detail
    owner: str
    why: str
    languages: tuple[str, ...] = ()
    # A failure that shows only when a worker's job has finished before the crawler looks
    # (its stored English outcome): such an entry is not stale when it matched nothing.
    intermittent: bool = False
    matched: int = 0

    def accepts(self, failure: Failure) -> bool:
        return (
            failure.check == self.check
            and re.fullmatch(self.pattern, failure.pattern) is not None
            and re.search(self.detail, failure.detail) is not None
            and (not self.languages or failure.language in self.languages)
        )


def load_known(path: Path = KNOWN_FAILURES) -> list[KnownFailure]:
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text())
    return [
        KnownFailure(
            check=e["check"],
            pattern=e.get("pattern", ".*"),
            detail=e.get("detail", ""),
            owner=e.get("owner", ""),
            why=e.get("why", ""),
            languages=tuple(e.get("languages", ())),
            intermittent=bool(e.get("intermittent", False)),
        )
        for e in data.get("known", [])
    ]


def apply_known(failures: list[Failure], known: list[KnownFailure]) -> None:
    for failure in failures:
        for entry in known:
            if entry.accepts(failure):
                entry.matched += 1
                failure.known = f"{entry.check}: {entry.pattern} / {entry.detail}"
                break


# --- the report ----------------------------------------------------------------------------------


@dataclass
class Report:
    patterns: list[UrlPattern]
    discovery: Discovery
    checked: list[dict] = field(default_factory=list)  # one row per page x language x width
    weighed: list[dict] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    known: list[KnownFailure] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def stale_known(self) -> list[KnownFailure]:
        """Known entries that accepted nothing this run (intermittent ones excepted)."""
        return [k for k in self.known if k.matched == 0 and not k.intermittent]

    def counts(self) -> dict[str, Counter]:
        new: Counter = Counter()
        known: Counter = Counter()
        for f in self.failures:
            (known if f.known else new)[f.check] += 1
        return {"new": new, "known": known}

    def kinds(self) -> Counter:
        return Counter(self.discovery.kind(p) for p in self.patterns)

    def summary(self) -> str:
        kinds = self.kinds()
        pages = kinds["page"]
        counts = self.counts()
        stale = self.stale_known()
        lines = [
            f"crawler: {len(self.patterns)} URL patterns ({pages} pages, "
            f"{kinds['data']} data/files, {kinds['action']} actions, "
            f"{kinds['redirect']} redirects, {kinds['outside']} admin/API, "
            f"{kinds['unreached']} unreached); {pages} pages x {len(LANGUAGES)} languages x "
            f"{len(WIDTHS)} widths checked = {len(self.checked)} page views; "
            f"{len(self.weighed)} pages weighed on the slow link",
            "crawler: failures per check (new / known): "
            + ", ".join(f"{c} {counts['new'][c]}/{counts['known'][c]}" for c in CHECKS),
            f"crawler: {sum(counts['known'].values())} known failures remain, accepted by "
            f"{len(self.known) - len(stale)} entries of {KNOWN_FAILURES.name}; "
            f"{len(stale)} stale entries",
            "crawler: took " + ", ".join(f"{k} {v:.0f} s" for k, v in self.seconds.items()),
        ]
        return "\n".join(lines)

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        data = {
            "summary": self.summary().splitlines(),
            "patterns": [
                {
                    **asdict(p),
                    "kind": self.discovery.kind(p),
                    "visits": [asdict(v) for v in self.discovery.visits.get(p.name, [])][:8],
                }
                for p in self.patterns
            ],
            "checked": self.checked,
            "weighed": self.weighed,
            "failures": [asdict(f) for f in self.failures],
            "known_entries": [asdict(k) for k in self.known],
        }
        (folder / "report.json").write_text(json.dumps(data, indent=1, ensure_ascii=False))
        (folder / "report.md").write_text(self.markdown())

    def markdown(self) -> str:
        out = ["# Site crawl", "", "```", self.summary(), "```", "", "## URL patterns", ""]
        out += ["| pattern | route | kind | checked as | URL |", "|---|---|---|---|---|"]
        for p in self.patterns:
            kind = self.discovery.kind(p)
            persona, url = "", ""
            if kind == "page":
                sample = self.discovery.sample(p)
                persona, url = sample.persona, sample.url
            elif kind == "outside":
                persona = p.outside
            out.append(f"| `{p.name}` | `/{p.route}` | {kind} | {persona} | `{url}` |")
        out += ["", "## Slow link (1.6 Mbit/s, 300 ms RTT, cold cache, 390 px)", ""]
        out += [
            "| pattern | URL | KB transferred | requests | s to load |",
            "|---|---|---|---|---|",
        ]
        for w in self.weighed:
            out.append(
                f"| `{w['pattern']}` | `{w['url']}` | {w['bytes'] / 1024:.1f} | {w['requests']} "
                f"| {w['seconds']:.2f} |"
            )
        for title, known in (("New failures", False), ("Known failures", True)):
            rows = [f for f in self.failures if bool(f.known) == known]
            out += ["", f"## {title} ({len(rows)})", ""]
            by_check: dict[str, list[Failure]] = defaultdict(list)
            for f in rows:
                by_check[f.check].append(f)
            for check in CHECKS:
                if not by_check.get(check):
                    continue
                out += [f"### {check} ({len(by_check[check])})", ""]
                for f in by_check[check]:
                    where = f"{f.language} {f.width}px " if f.language else ""
                    shot = f" [screenshot]({f.screenshot})" if f.screenshot else ""
                    out.append(
                        f"- `{f.pattern}` {where}as {f.persona or '—'} `{f.url}`: {f.detail}{shot}"
                    )
                out.append("")
        stale = self.stale_known()
        if stale:
            out += ["", "## Stale known-failure entries (they match nothing: remove them)", ""]
            out += [f"- {k.check}: `{k.pattern}` / `{k.detail}`" for k in stale]
        return "\n".join(out) + "\n"


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:80]


def timed(seconds: dict[str, float], name: str, start: float) -> None:
    seconds[name] = time.monotonic() - start


# Who fixes what, as the work on issue 15 is split (for the suggested entries only).
SUGGESTED_OWNERS = {
    "untranslated": "i18n",
    "overflow": "layout",
    "console": "layout",
    "a11y": "crawl",
    "reach": "crawl",
    "weight": "crawl",
    "slow": "crawl",
    "status": "crawl",
}


def write_suggested_known(failures: list[Failure], path: Path) -> None:
    """Today's failures as known-failure entries (one per check and detail), for the coordinator
    to copy from when another slice's work lands; the crawler never reads this file."""

    def general(text: str) -> str:
        # Numbers, ports, keys and quoted values differ from one demo stack to the next.
        parts = re.split(r'("[^"]*"|[A-Za-z0-9+/=_-]{20,}|[0-9a-f]{8,}|\d+)', text)
        return "".join(
            (r"\d+" if part.isdigit() else '".*"' if part[:1] == '"' else r"\S+")
            if i % 2
            else re.escape(part)
            for i, part in enumerate(parts)
        )

    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for f in failures:
        if f.check == "untranslated":
            detail = "^" + general(f.detail) + "$"
        elif f.check == "a11y":
            detail = "^" + re.escape(f.detail.split(" ", 1)[0]) + " "
        elif f.check == "console":
            detail = general(re.sub(r" \(http\S*\)$", "", f.detail))
        else:
            detail = ""
        groups[f.check, detail].add(f.pattern)
    lines = []
    for (check, detail), names in sorted(groups.items()):
        pattern = "|".join(re.escape(n) for n in sorted(names))
        if check == "untranslated" and len(names) > 5:
            pattern = ".*"  # a string of the shared layout or of a shared list
        lines += [
            "[[known]]",
            f"check = {json.dumps(check)}",
            f"pattern = {json.dumps(pattern)}",
            f"detail = {json.dumps(detail, ensure_ascii=False)}",
            f"owner = {json.dumps(SUGGESTED_OWNERS.get(check, ''))}",
            'why = ""',
            "",
        ]
    path.write_text("\n".join(lines))
