"""Catalogue completeness as a number: every msgid the source marks has its translations.

``scripts/catalogue_report.py`` runs Django's ``makemessages`` on a copy of the package, so a
string marked today and not yet translated is counted even if nobody ran ``makemessages``.
French and Hindi must be complete (fuzzy counts as missing); every other language (Swahili,
for the DRC) at least 95 %. The percentages are printed (``pytest -s`` or ``-rA`` shows them).
A planted page string without a translation makes the check fail: that is what CI relies on.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="makemessages needs GNU gettext (xgettext)"
)


def _load_report():
    spec = importlib.util.spec_from_file_location(
        "oretrace_catalogue_report", REPO / "scripts" / "catalogue_report.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


report = _load_report()


@pytest.fixture(scope="module")
def coverage() -> list:
    return report.report()


def test_every_msgid_is_translated(coverage, capsys):
    with capsys.disabled():
        for result in coverage:  # the percentages are this check's report, shown in CI
            print(f"\ncatalogues: {result.line()}", end="")  # noqa: T201
    failures = [result for result in coverage if not result.ok]
    assert not failures, "\n".join(
        f"{r.line()}; missing:\n  " + "\n  ".join(r.missing[:40]) for r in failures
    )


def test_every_language_of_the_site_is_measured(coverage):
    measured = {result.language for result in coverage}
    offered = {code for code, _name in settings.LANGUAGES if code != "en"}
    assert measured == offered
    assert {"fr", "hi", "sw"} <= measured


def test_languages_are_the_locale_folders():
    folders = {p.parts[-3] for p in Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/django.po")}
    assert [code for code, _name in settings.LANGUAGES] == ["en", *sorted(folders)]


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> list:
    """The report on a copy of the package with one new, untranslated page string."""
    copy = tmp_path_factory.mktemp("planted") / "oretrace"
    shutil.copytree(report.PACKAGE, copy, ignore=report._SKIP)
    page = copy / "web" / "templates" / "web" / "planted.html"
    page.write_text(
        '{% load i18n %}<p>{% translate "A planted sentence nobody translated" %}</p>\n',
        encoding="utf-8",
    )
    return report.report(copy)


def test_a_planted_untranslated_string_fails_every_language(planted):
    for result in planted:
        assert "'A planted sentence nobody translated'" in result.missing
    by_language = {result.language: result for result in planted}
    assert not by_language["fr"].ok
    assert not by_language["hi"].ok
    assert by_language["fr"].percent < 100


def test_fuzzy_counts_as_missing():
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Kept", msgstr="Gardé"))
    po.append(polib.POEntry(msgid="Guessed", msgstr="Deviné", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Forgotten", msgstr=""))
    result = report.coverage_of(po, "fr")
    assert result.missing == ["'Guessed'", "'Forgotten'"]
    assert round(result.percent, 1) == 33.3
    assert not result.ok
    other = report.coverage_of(po, "sw")
    assert other.floor == 95.0
    assert not other.ok


def test_the_command_lists_what_a_language_lacks(capsys, monkeypatch):
    lacking = report.Coverage("sw", 100, ["'One'"] * 6)
    monkeypatch.setattr(report, "report", lambda package: [lacking])
    assert report.main(["--missing", "sw"]) == 1
    out = capsys.readouterr().out
    assert "sw:  94.00 % translated (94 of 100; 6 missing) — below 95 %" in out
    assert out.count("  - 'One'") == 6
