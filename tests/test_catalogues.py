"""Catalogue completeness as a number: every msgid the source marks has its translations.

``scripts/catalogue_report.py`` runs Django's ``makemessages`` on a copy of the package, so a
string marked today and not yet translated is counted even if nobody ran ``makemessages``.
French and Hindi must be complete (fuzzy counts as missing); every other language (Swahili,
for the DRC) at least 95 %. The percentages are printed (``pytest -s`` or ``-rA`` shows them).
A planted page string without a translation makes the check fail: that is what CI relies on.

A text a worker stores (``StoredText.of(msgid[, plural], ...)``, a job's title or progress
line) is extracted too, by our ``makemessages``: every such call of the source must find its
msgid (and plural) in the catalogues, and a planted one without a translation fails like a
page string.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from oretrace.core.management.commands.makemessages import is_stored_text_of

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
def catalogues() -> dict[str, polib.POFile]:
    """Each language's catalogue as ``makemessages`` leaves it for the current source."""
    return report.extract()


@pytest.fixture(scope="module")
def coverage(catalogues) -> list:
    return report.coverages(catalogues)


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


def _stored_texts() -> list[tuple[str, int, ast.Call]]:
    """Every ``StoredText.of`` call of the package's code: (file, line, call)."""
    found = []
    for path in sorted(report.PACKAGE.rglob("*.py")):
        if {"tests", "migrations"} & set(path.relative_to(report.PACKAGE).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and is_stored_text_of(node.func):
                found.append((str(path.relative_to(report.PACKAGE)), node.lineno, node))
    return found


def test_every_stored_text_is_in_the_catalogues(catalogues):
    calls = _stored_texts()
    assert len(calls) >= 20, calls  # job titles, progress lines, import summaries
    problems = []
    for where, line, call in calls:
        texts = [a.value for a in call.args if isinstance(a, ast.Constant)]
        if not texts or len(texts) != len(call.args) or not all(isinstance(t, str) for t in texts):
            problems.append(f"{where}:{line}: StoredText.of needs literal msgids")
            continue
        msgid, plural = texts[0], texts[1] if len(texts) > 1 else ""
        for language, po in catalogues.items():
            entry = po.find(msgid)
            if entry is None or entry.msgid_plural != plural:
                problems.append(f"{where}:{line}: {msgid!r} ({plural!r}) not in {language}")
            elif entry.fuzzy or not entry.translated():
                problems.append(f"{where}:{line}: {msgid!r} untranslated in {language}")
    assert problems == [], "\n".join(problems)


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> tuple[dict[str, polib.POFile], list]:
    """The catalogues and the report on a copy of the package with a new, untranslated page
    string and two stored texts (and another class's ``of``, which is no msgid)."""
    copy = tmp_path_factory.mktemp("planted") / "oretrace"
    shutil.copytree(report.PACKAGE, copy, ignore=report._SKIP)
    page = copy / "web" / "templates" / "web" / "planted.html"
    page.write_text(
        '{% load i18n %}<p>{% translate "A planted sentence nobody translated" %}</p>\n',
        encoding="utf-8",
    )
    (copy / "core" / "planted.py").write_text(
        "from oretrace.core.stored_text import StoredText\n"
        "TITLE = StoredText.of('A planted title for %(file)s', file='planted.xlsx')\n"
        "ROWS = StoredText.of(\n"
        "    '%(count)s planted row', '%(count)s planted rows', count=2, file='planted.xlsx'\n"
        ")\n"
        "OTHER = Issue.of('planted-code', 'A planted issue')\n",
        encoding="utf-8",
    )
    catalogues = report.extract(copy)
    return catalogues, report.coverages(catalogues)


def test_a_planted_untranslated_string_fails_every_language(planted):
    _catalogues, results = planted
    for result in results:
        assert "'A planted sentence nobody translated'" in result.missing
    by_language = {result.language: result for result in results}
    assert not by_language["fr"].ok
    assert not by_language["hi"].ok
    assert by_language["fr"].percent < 100


def test_a_planted_stored_text_is_extracted_and_fails_every_language(planted):
    catalogues, results = planted
    for result in results:
        assert "'A planted title for %(file)s'" in result.missing
        assert "'%(count)s planted row'" in result.missing
    for po in catalogues.values():
        assert po.find("A planted title for %(file)s").msgid_plural == ""
        assert po.find("%(count)s planted row").msgid_plural == "%(count)s planted rows"
        for not_a_msgid in ("planted.xlsx", "planted-code", "A planted issue"):
            assert po.find(not_a_msgid) is None, not_a_msgid


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
