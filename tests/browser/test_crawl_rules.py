"""The crawler's rules without a browser: patterns, links, untranslated text, known failures.

These run in ``make test``; the crawl itself (``test_crawl.py``) needs a browser.
"""

from __future__ import annotations

from pathlib import Path

from browser import crawl
from browser.crawl_sources import Sources, TextSet, normalise


def test_every_pattern_comes_from_the_resolver_and_admin_and_api_are_set_aside() -> None:
    patterns = {p.name: p for p in crawl.site_patterns()}
    for name in ("login", "respond", "web:dashboard", "declarations:detail", "ledger:tile"):
        assert name in patterns
        assert patterns[name].outside == ""
    assert patterns["declarations:detail"].params == ("declaration_id",)
    assert patterns["admin:index"].outside.startswith("admin site")
    assert patterns["api:openapi-view"].outside.startswith("API")
    # The API's own catch-all 404 is mounted under the API's prefix, so it is the API's too.
    catch_all = [p for p in patterns.values() if p.route.startswith("api/v1/(?P<rest>")]
    assert catch_all
    assert all(p.outside.startswith("API") for p in catch_all)


def test_pattern_of_names_a_path_as_site_patterns_does() -> None:
    assert crawl.pattern_of("/declarations/12/") == "declarations:detail"
    assert crawl.pattern_of("/ledger/tile/0/000") == "ledger:tile"
    assert crawl.pattern_of("/no/such/page/") is None


def test_links_are_every_same_site_url_a_page_leads_to() -> None:
    html = """
      <a href="/facilities/3/">x</a> <a href="https://example.org/">away</a>
      <link rel="stylesheet" href="/static/web/oretrace.css"><img src="/verify/r/a/b/c/qr.svg">
      <form method="post" action="/jobs/start/"></form> <form method="get"></form>
      <button hx-get="/declarations/?status=received">more</button>
    """
    assert crawl.links_in(html, "http://127.0.0.1:8000/jobs/") == [
        "/facilities/3/",
        "/verify/r/a/b/c/qr.svg",
        "/jobs/start/",
        "/jobs/",
        "/declarations/?status=received",
    ]


def test_a_pattern_is_classified_by_what_the_server_answered() -> None:
    pattern = crawl.UrlPattern("x:y", "y/<int:id>/", ("id",))
    discovery = crawl.Discovery([pattern])
    assert discovery.kind(pattern) == "unreached"
    assert [f.pattern for f in discovery.unreached_failures()] == ["x:y"]
    discovery.visits["x:y"].append(crawl.Visit("a", "/y/1/", 302, "text/html"))
    assert discovery.kind(pattern) == "redirect"
    discovery.visits["x:y"].append(crawl.Visit("a", "/y/1/", 405, "text/html"))
    assert discovery.kind(pattern) == "action"
    discovery.visits["x:y"].append(crawl.Visit("b", "/y/1/", 200, "text/csv"))
    assert discovery.kind(pattern) == "data"
    discovery.visits["x:y"].append(crawl.Visit("c", "/y/2/", 200, "text/html; charset=utf-8"))
    assert discovery.kind(pattern) == "page"
    assert discovery.sample(pattern).url == "/y/2/"
    assert discovery.unreached_failures() == []


def _sources() -> Sources:
    english = TextSet()
    for text in ("Dashboard", "Date", "%(count)s smelter rows", "Row {row}: {name} is unknown"):
        english.add(text)
    french = TextSet()
    for text in ("Tableau de bord", "Date", "%(count)s lignes de fonderie"):
        french.add(text)
    return Sources(english=english, translations={"fr": french})


def test_untranslated_is_the_source_english_that_is_no_translation() -> None:
    sources = _sources()
    page = [
        "Tableau de bord",  # translated
        "Dashboard",  # the English source
        "Date",  # French keeps "Date": a translation
        "3 smelter rows",  # the source with its count filled in
        "3 lignes de fonderie",
        "Row 12: Minas Tin is unknown",  # an f-string's holes filled in
        "Aurelia Motors",  # a name: no source says it
        "CMRT",  # a code: no lower-case word
        "2024-05-01",
        "  Dashboard:  ",  # the same text with punctuation and spaces around it
    ]
    assert sources.untranslated(page, "fr") == [
        "Dashboard",
        "3 smelter rows",
        "Row 12: Minas Tin is unknown",
    ]


def test_source_strings_are_read_from_templates_and_python(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text(
        '{% load i18n %}<h1>{% translate "A heading" %}</h1>\n'
        "<p>Plain English left in the template, {{ count }} times</p>\n"
        '<input placeholder="Search facilities">{# a comment nobody sees #}'
    )
    (tmp_path / "views.py").write_text(
        'def f(n):\n    """A docstring."""\n'
        '    return f"{n} rows were refused", "needs_correction"\n'
    )
    (tmp_path / "demo.py").write_text('NAME = "Aurelia Motors"\n')
    sources = Sources.load([], roots=[tmp_path])
    assert sources.english.matches("A heading")
    assert sources.english.matches("Plain English left in the template, 4 times")
    assert sources.english.matches("Search facilities")
    assert sources.english.matches("12 rows were refused")
    assert not sources.english.matches("needs_correction")  # an identifier, not language
    assert not sources.english.matches("A docstring")
    assert not sources.english.matches("a comment nobody sees")
    assert not sources.english.matches("Aurelia Motors")  # the demo's data is user data
    assert normalise(" «Name:» ") == "Name"


def test_known_failures_accept_by_rule_and_stale_entries_are_found(tmp_path: Path) -> None:
    listed = tmp_path / "known.toml"
    listed.write_text(
        "# a comment\n"
        '[[known]]\ncheck = "untranslated"\npattern = ".*"\ndetail = "^“Gold”$"\n'
        'owner = "i18n"\nwhy = "metal names"\n\n'
        '[[known]]\ncheck = "overflow"\npattern = "web:jobs"\ndetail = ""\n'
        'owner = "layout"\nwhy = "wide table"\n'
    )
    known = crawl.load_known(listed)
    failures = [
        crawl.Failure("untranslated", "registry:facility", "/facilities/1/", "a", "“Gold”"),
        crawl.Failure("untranslated", "registry:facility", "/facilities/1/", "a", "“Tin”"),
        crawl.Failure("overflow", "web:organisation", "/organisation/", "a", "500 px wide"),
    ]
    crawl.apply_known(failures, known)
    assert [bool(f.known) for f in failures] == [True, False, False]
    assert [k.matched for k in known] == [1, 0]  # the overflow entry is stale


def test_the_checked_in_known_failures_are_well_formed() -> None:
    for entry in crawl.load_known():
        assert entry.check in crawl.CHECKS, entry
        assert entry.owner, f"a known failure needs an owner: {entry}"
        assert entry.why, f"a known failure needs a reason: {entry}"
