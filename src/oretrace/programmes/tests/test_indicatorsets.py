"""Indicator sets as data: the shipped set reads, every error names file, field and line."""

import pytest

from oretrace.programmes import catalogue
from oretrace.programmes.indicatorsets import IndicatorSetInvalid, parse

GOOD = """\
set: demo-set
version: 2
title: {en: Demo, fr: Démo, hi: डेमो}
indicators:
  - code: enrolment
    unit: percent
    better: higher
    title: {en: Enrolled, fr: Inscrits, hi: नामांकित}
"""


def test_the_shipped_set_reads_in_three_languages():
    found = catalogue.latest("child-labour-free-village")
    assert found is not None
    assert found.version == 1
    codes = [i.code for i in found.indicators]
    assert "school_enrolment" in codes
    assert "children_at_sites" in codes
    for indicator in found.indicators:
        assert set(indicator.titles) == {"en", "fr", "hi"}
        assert all(indicator.titles.values())
    at_sites = found.indicator("children_at_sites")
    assert at_sites is not None
    assert at_sites.better == "lower"


def test_a_good_file_parses():
    found = parse(GOOD, "demo.yaml")
    assert (found.slug, found.version) == ("demo-set", 2)
    assert found.indicators[0].title("fr-ch") == "Inscrits"


@pytest.mark.parametrize(
    ("broken", "field", "line"),
    [
        (GOOD.replace("unit: percent", "unit: ratio"), "indicators[0].unit", 6),
        (GOOD.replace("version: 2", "version: two"), "version", 2),
        (GOOD.replace(", hi: नामांकित", ""), "indicators[0].title.hi", 8),
        (GOOD.replace("code: enrolment", "code: Enrolment!"), "indicators[0].code", 5),
        (GOOD.replace("set: demo-set\n", ""), "set", 1),
    ],
)
def test_an_error_names_file_field_and_line(broken, field, line):
    with pytest.raises(IndicatorSetInvalid) as caught:
        parse(broken, "mine.yaml")
    error = caught.value.errors[0]
    assert (error.file, error.field, error.line) == ("mine.yaml", field, line)
    assert f"mine.yaml, line {line}, {field}" in str(caught.value)


def test_a_code_given_twice_is_refused():
    twice = GOOD + GOOD.split("indicators:\n", 1)[1]
    with pytest.raises(IndicatorSetInvalid, match=r"line 9, indicators\[1\].code: 'enrolment'"):
        parse(twice, "twice.yaml")


def test_not_yaml_says_where():
    with pytest.raises(IndicatorSetInvalid, match=r"bad\.yaml, line 2"):
        parse("set: x\n  - : [\n", "bad.yaml")


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [
        (GOOD.replace("title: {en: Demo", "title: &t {en: Demo") + "other: *t\n", "aliases", 3),
        ("set: x\nindicators:\n" + "  " * 20 + "- " * 20 + "deep\n", "nests deeper", 3),
        ("set: caf\xe9\n".encode("latin-1"), "not UTF-8", 1),
    ],
)
def test_a_file_that_would_be_costly_or_is_not_text_is_refused_whole(text, problem, line):
    with pytest.raises(IndicatorSetInvalid) as caught:
        parse(text, "bad.yaml")
    (error,) = caught.value.errors
    assert (error.field, error.line) == ("(file)", line)
    assert problem in error.message
