"""The YAML format: the shipped standards, round trips, and errors that name line and field."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oretrace.assessments import services, stdfile
from oretrace.assessments.exceptions import StandardFileError
from oretrace.assessments.models import Criterion, Question, Section, Standard
from oretrace.assessments.queries import export_standard
from oretrace.assessments.shipped import SHIPPED, install_shipped, shipped_text
from oretrace.assessments.tests.conftest import SYSTEM

MINIMAL = """\
oretrace_standard: 1
code: tiny
version: "1"
languages: [en, fr]
title: {en: Tiny, fr: Minuscule}
sections:
- code: A
  title: {en: Section A, fr: Section A}
  criteria:
  - code: A.1
    severity: high
    requirement: {en: Do it, fr: Le faire}
    questions:
    - code: A.1.a
      type: yes_no
      expected: "yes"
      text: {en: Done, fr: Fait}
"""


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_standards_are_complete_in_three_languages(name):
    spec = stdfile.read(shipped_text(name))
    assert spec.languages == ["en", "fr", "hi"]
    types = {q.type for _c, q in spec.questions()}
    assert len(spec.questions()) >= 10
    for criterion, question in spec.questions():
        assert set(question.text) == {"en", "fr", "hi"}
        assert set(criterion.improvement_steps) == {"en", "fr", "hi"}, criterion.code
    assert types & {"yes_no", "choice"}


def test_the_mica_standard_covers_the_topics():
    spec = stdfile.read(shipped_text("mica-processing-workplace.yaml"))
    assert [s.code for s in spec.sections] == ["ENV", "OHS", "LAB", "GOV"]
    types = {q.type for _c, q in spec.questions()}
    assert types == {"yes_no", "number", "date", "text", "choice", "evidence"}
    assert any(q.shown_when for _c, q in spec.questions())
    child_labour = next(c for s in spec.sections for c in s.criteria if c.code == "LAB.1")
    assert child_labour.severity == "critical"
    assert child_labour.ilo_conventions == ["C138", "C182"]
    assert child_labour.oecd_annex_ii == [3]


@pytest.mark.django_db
@pytest.mark.parametrize("name", SHIPPED)
def test_export_then_import_round_trips_unchanged(name, member_a):
    # given a shipped standard imported into the database
    source = stdfile.read(shipped_text(name))
    first = services.import_standard(shipped_text(name), organisation=None, actor=SYSTEM)
    exported = export_standard(first)
    # when the export is imported again (by an organisation) and exported once more
    second = services.import_standard(exported, organisation=member_a.organisation, actor=member_a)
    # then nothing changed: same spec as the source file, same text both times
    assert stdfile.read(exported) == source
    assert export_standard(second) == exported
    assert second.questions.count() == len(source.questions())


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("code: [unclosed\n", 2, "", "not valid YAML"),
        (
            MINIMAL.replace("  - code: A.1\n", "  - code: A.1\n    colour: red\n"),
            11,
            "sections[0].criteria[0].colour",
            "unknown field",
        ),
        (
            MINIMAL.replace("severity: high", "severity: grave"),
            11,
            "sections[0].criteria[0].severity",
            "Input should be",
        ),
        (
            MINIMAL.replace("text: {en: Done, fr: Fait}", "text: {en: Done}"),
            17,
            "sections[0].criteria[0].questions[0].text",
            "the 'fr' text is missing",
        ),
        (
            MINIMAL.replace('      expected: "yes"\n', ""),
            14,
            "sections[0].criteria[0].questions[0].expected",
            "needs the expected answer",
        ),
        (
            MINIMAL.replace(
                "title: {en: Tiny, fr: Minuscule}", "title: {en: Tiny, fr: Mini, de: Klein}"
            ),
            5,
            "title.de",
            "not one of the standard's languages",
        ),
        (
            MINIMAL.replace("    requirement:", "    oecd_annex_ii: [11]\n    requirement:"),
            12,
            "sections[0].criteria[0].oecd_annex_ii[0]",
            "Annex II risk number",
        ),
        (
            MINIMAL.replace("    requirement:", "    ilo_conventions: [ILO138]\n    requirement:"),
            12,
            "sections[0].criteria[0].ilo_conventions[0]",
            "not an ILO convention",
        ),
        (
            MINIMAL.replace(
                "      text: {en: Done",
                "      shown_when: {question: Z.9, answer_in: ['yes']}\n      text: {en: Done",
            ),
            17,
            "sections[0].criteria[0].questions[0].shown_when.question",
            "comes before",
        ),
        (
            MINIMAL.replace("languages: [en, fr]", "languages: [fr]").replace("en: ", "xx: "),
            4,
            "languages",
            "English",
        ),
        ("- just\n- a list\n", 1, "", "one mapping"),
        (
            MINIMAL.replace(
                "      text: {en: Done",
                "      shown_when: {question: A.0, answer_in: [yes]}\n      text: {en: Done",
            ),
            17,
            "sections[0].criteria[0].questions[0].shown_when.answer_in[0]",
            'write "yes" in quotes',
        ),
    ],
)
def test_bad_files_name_the_line_and_field(text, line, field, message):
    with pytest.raises(StandardFileError, match=message) as caught:
        stdfile.read(text)
    assert caught.value.line == line
    assert caught.value.field == field
    assert str(caught.value).startswith(f"line {line}")


def test_yaml_tags_are_refused_safe_loading_only():
    hostile = "!!python/object/apply:os.system ['echo hacked']\n"
    with pytest.raises(StandardFileError, match="not valid YAML"):
        stdfile.read(hostile)


def test_file_that_is_not_utf8_is_refused():
    with pytest.raises(StandardFileError, match="not UTF-8"):
        stdfile.read(b"code: \xff\xfe")


def test_choice_and_condition_rules():
    choice_once = MINIMAL.replace(
        '      type: yes_no\n      expected: "yes"\n',
        "      type: choice\n      choices:\n      - value: a\n        label: {en: A, fr: A}\n",
    )
    with pytest.raises(StandardFileError, match="at least two choices"):
        stdfile.read(choice_once)
    number_expected = MINIMAL.replace("type: yes_no", "type: number")
    with pytest.raises(StandardFileError, match="expected does not apply to a number question"):
        stdfile.read(number_expected)


@pytest.mark.django_db
def test_a_refused_file_writes_nothing(member_a):
    broken = MINIMAL + "    - code: A.1.a\n      type: text\n      text: {en: Again, fr: Encore}\n"
    with pytest.raises(StandardFileError, match="used twice"):
        services.import_standard(broken, organisation=member_a.organisation, actor=member_a)
    assert not Standard.objects.exists()
    assert not Section.objects.exists()
    assert not Criterion.objects.exists()
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_an_import_that_fails_half_way_leaves_nothing(monkeypatch):
    real_create = Question.objects.create
    calls = []

    def failing_create(**kwargs):
        calls.append(kwargs["code"])
        if len(calls) == 5:
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(Question.objects, "create", failing_create)
    with pytest.raises(RuntimeError, match="disk full"):
        services.import_standard(
            shipped_text("mica-processing-workplace.yaml"), organisation=None, actor=SYSTEM
        )
    assert len(calls) == 5
    assert not Standard.objects.exists()
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_a_version_is_imported_once(member_a):
    services.import_standard(MINIMAL, organisation=member_a.organisation, actor=member_a)
    with pytest.raises(StandardFileError, match="already installed"):
        services.import_standard(MINIMAL, organisation=member_a.organisation, actor=member_a)
    assert Standard.objects.count() == 1


@pytest.mark.django_db
def test_cli_import_export_and_install(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    out = io.StringIO()
    call_command("standards", "import", str(path), stdout=out)
    assert "imported tiny 1: 1 questions" in out.getvalue()
    out = io.StringIO()
    call_command("standards", "export", "tiny", stdout=out)
    assert stdfile.read(out.getvalue()) == stdfile.read(MINIMAL)
    call_command(
        "standards", "export", "tiny", "1", "-o", str(tmp_path / "out.yaml"), stdout=io.StringIO()
    )
    assert (tmp_path / "out.yaml").read_text(encoding="utf-8") == out.getvalue()
    call_command("standards", "install", stdout=io.StringIO())
    assert Standard.objects.filter(organisation__isnull=True).count() == 4
    assert install_shipped(SYSTEM) == []  # a second install changes nothing
    listing = io.StringIO()
    call_command("standards", "list", stdout=listing)
    assert "mica-processing-workplace\t2026.1\t(shipped)" in listing.getvalue()


@pytest.mark.django_db
def test_cli_names_the_line_of_a_bad_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(MINIMAL.replace("severity: high", "severity: grave"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.yaml: line 11, sections\[0\]"):
        call_command("standards", "import", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="no standard nope"):
        call_command("standards", "export", "nope", stdout=io.StringIO())
