"""The declaration page: question texts, the original file, and what changed since the version
it superseded."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from oretrace.declarations.queries import compare, question_text
from oretrace.declarations.rmi.maps import map_for
from oretrace.declarations.rmi.write import XlsxPackage
from oretrace.declarations.services import imports
from oretrace.declarations.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


# Each edited copy made once per process (the tests ask for the same copies again). Bytes are
# immutable: no test alters another's.
_EDITED: dict[tuple[str, date, tuple[tuple[str, str], ...]], bytes] = {}


def _edited(data: bytes, day: date, **cells: str) -> bytes:
    key = (hashlib.sha256(data).hexdigest(), day, tuple(sorted(cells.items())))
    if key not in _EDITED:
        _EDITED[key] = _edit(data, day, **cells)
    return _EDITED[key]


def _edit(data: bytes, day: date, **cells: str) -> bytes:
    """The file with its effective date and ``cells`` of its Declaration sheet changed, as the
    blank writer writes cells (in place; openpyxl took seconds to load and save it)."""
    template_map, _newer = map_for("CMRT", "6.4", "x.xlsx")
    effective = datetime.combine(day, time())
    edits = {"Declaration": {template_map.company["effective_date"]: effective, **cells}}
    return XlsxPackage(data).write(edits)


@pytest.fixture
def pair(member_a, filled):
    """Merck's CMRT, then a newer version with one answer changed."""
    _name, data = filled("Merck")
    old = imports.import_declaration(
        _edited(data, date(2024, 1, 10)), "old.xlsx", actor=member_a, today=TODAY
    ).declaration
    assert old is not None
    answer = next(a for a in old.content["answers"] if a["question"] == "1")
    flipped = "No" if answer["answer"] == "Yes" else "Yes"
    newer = imports.import_declaration(
        _edited(data, date(2024, 6, 1), **{answer["cell"]: flipped}),
        "new.xlsx",
        actor=member_a,
        today=TODAY,
    ).declaration
    assert newer is not None
    old.refresh_from_db()
    assert old.superseded_by == newer
    return old, newer, answer, flipped


def test_questions_read_with_their_text():
    assert "intentionally added" in question_text("CMRT", "1")
    assert "conflict-affected" in question_text("CMRT", "4")
    assert "conflict-affected" in question_text("EMRT", "3")  # same meaning, another number
    assert "policy" in question_text("CMRT", "A")
    assert question_text("CMRT", "Z") == ""


def test_the_page_shows_what_changed_since_the_superseded_version(pair, web_a):
    old, newer, answer, flipped = pair
    comparison = compare(old, newer)
    changed = [(c.question, c.mineral, c.before, c.after) for c in comparison.answers]
    assert (answer["question"], answer["mineral"], answer["answer"], flipped) in changed
    assert not comparison.smelters_added
    assert not comparison.smelters_removed
    page = web_a.get(reverse("declarations:detail", args=[newer.pk])).content.decode()
    assert f"What changed since #{old.pk}" in page
    assert "intentionally added" in page  # the question's text beside its number
    # the template's language (its cell, "English") named in the reader's language
    assert newer.language == "English"
    url = reverse("declarations:detail", args=[newer.pk])
    assert "<dd>Anglais</dd>" in web_a.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_a_version_with_nothing_changed_says_so(member_a, filled):
    _name, data = filled("Merck")
    old = imports.import_declaration(
        _edited(data, date(2024, 1, 10)), "a.xlsx", actor=member_a, today=TODAY
    ).declaration
    newer = imports.import_declaration(
        _edited(data, date(2024, 1, 11)), "b.xlsx", actor=member_a, today=TODAY
    ).declaration
    assert old is not None
    assert newer is not None
    comparison = compare(old, newer)
    assert comparison.answers == []
    assert not comparison.smelters_added
    assert not comparison.smelters_removed


def test_the_original_file_is_served_as_received_and_refused_once_altered(pair, web_a, web_b):
    old, _newer, _answer, _flipped = pair
    url = reverse("declarations:file", args=[old.pk])
    response = web_a.get(url)
    assert response.status_code == 200
    assert hashlib.sha256(response.getvalue()).hexdigest() == old.sha256
    assert 'filename="old.xlsx"' in response["Content-Disposition"]
    assert web_b.get(url).status_code == 404
    # a kept file that no longer matches its SHA-256 is not served as the evidence (put back
    # after: the files outlive the test's database, and a later test storing the same bytes
    # finds its file at the same path)
    kept = Path(settings.MEDIA_ROOT, old.stored_file)
    original = kept.read_bytes()
    kept.write_bytes(b"not the supplier's file")
    try:
        refused = web_a.get(url)
    finally:
        kept.write_bytes(original)
    assert refused.status_code == 410
    assert "no longer matches" in refused.content.decode()
