"""Translations of the shell: complete catalogues, up-to-date .mo files, French and Hindi pages."""

from __future__ import annotations

import gettext
import importlib.util
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[4]
LOCALE_DIR = Path(settings.LOCALE_PATHS[0])


def _load_compiler():
    """``scripts/compile_messages.py``: the tests check with the code that builds the .mo files."""
    spec = importlib.util.spec_from_file_location(
        "oretrace_compile_messages", REPO / "scripts" / "compile_messages.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


compiler = _load_compiler()
PO_FILES = compiler.po_files(LOCALE_DIR)
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _catalog(mo_path: Path) -> dict[str, str]:
    """The messages of a .mo file as Django's gettext reads them."""
    with mo_path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


def _po_id(path: Path) -> str:
    return str(path.relative_to(LOCALE_DIR))


def test_every_language_has_a_catalogue():
    assert LOCALE_DIR == compiler.LOCALE_DIR
    languages = {path.parts[-3] for path in PO_FILES}
    assert languages >= set(LANGUAGE_CODES)


@pytest.mark.parametrize("po_path", PO_FILES, ids=_po_id)
def test_catalogue_is_complete_and_keeps_placeholders(po_path):
    po = polib.pofile(str(po_path))
    assert compiler.check_catalog(po) == []
    assert po.metadata["Language"] == po_path.parts[-3]
    assert po.percent_translated() == 100


@pytest.mark.parametrize("po_path", PO_FILES, ids=_po_id)
def test_committed_mo_is_up_to_date(po_path, tmp_path):
    committed = po_path.with_suffix(".mo")
    assert committed.exists(), f"{committed} is missing: run `make messages`"
    fresh = compiler.compile_catalog(po_path, tmp_path / "django.mo")
    assert _catalog(committed) == _catalog(fresh), (
        f"{committed.relative_to(REPO)} is older than its .po: run `make messages`"
    )


def test_check_lists_fuzzy_untranslated_and_placeholder_problems(tmp_path, capsys):
    po_path = tmp_path / "xx" / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True)
    po_path.write_text(
        'msgid ""\nmsgstr ""\n'
        '"Language: xx\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Fine"\nmsgstr "Bien"\n\n'
        '#, fuzzy\nmsgid "Guessed"\nmsgstr "Deviné"\n\n'
        'msgid "Forgotten"\nmsgstr ""\n\n'
        '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Bonjour %(nom)s"\n\n'
        '#, python-format\nmsgid "Page %(n)s of %(total)s"\nmsgstr "%(total)s : page %(n)s"\n',
        encoding="utf-8",
    )
    problems = compiler.check_all(tmp_path)[po_path]
    assert len(problems) == 3
    assert problems[0].endswith("msgid 'Guessed': fuzzy")
    assert problems[1].endswith("msgid 'Forgotten': untranslated")
    assert "msgid 'Hello %(name)s': placeholders differ" in problems[2]
    assert "'%(nom)s'" in problems[2]
    assert compiler.main(["--locale-dir", str(tmp_path)]) == 1
    assert not po_path.with_suffix(".mo").exists()
    err = capsys.readouterr().err
    assert "3 problem(s), nothing was compiled" in err
    assert "xx/LC_MESSAGES/django.po" in err


def _page_in(client: Client, language: str, url: str = "/") -> str:
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "shown", "other_page"),
    [
        # navigation (translated lazily in web/context.py), a template, a role label from
        # core/choices.py, the logout button; and another page
        (
            "fr",
            ["Tableau de bord", "Membres actifs", "Administrateur", "Se déconnecter"],
            ("web:tokens", "Jetons d&#x27;API"),
        ),
        ("hi", ["डैशबोर्ड", "सक्रिय सदस्य", "व्यवस्थापक"], ("web:reference", "संदर्भ डेटा")),
        (
            "sw",
            [
                "Dashibodi",
                "Wanachama hai",
                '<option value="sw" lang="sw" selected>Kiswahili</option>',
            ],
            None,
        ),
    ],
)
def test_the_shell_in_each_language(web_a, language, shown, other_page):
    html = _page_in(web_a, language)
    assert f'<html lang="{language}">' in html
    for text in shown:
        assert text in html
    assert ">Dashboard<" not in html
    if other_page:
        name, text = other_page
        assert text in _page_in(web_a, language, reverse(name))


def test_back_to_english(web_a):
    _page_in(web_a, "hi")
    html = _page_in(web_a, "en")
    assert '<html lang="en">' in html
    assert ">Dashboard<" in html
