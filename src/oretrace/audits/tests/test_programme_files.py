"""Programme files: bad ones refused with the file, line, field and reason; durations; the
fingerprint, which changes exactly when the rules do."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from oretrace.audits.programmes import (
    Duration,
    FindingGrade,
    ProgrammeError,
    duration,
    outcome_of,
    parse,
    shipped,
)
from oretrace.audits.programmes.parse import MAX_BYTES

SHIPPED = Path(__file__).resolve().parents[1] / "programmes" / "shipped"

# A small valid programme; each bad case below changes one thing in it.
GOOD = """\
oretrace_programme: 1
code: small
version: "1"
languages: [en, fr]
title: {en: Small, fr: Petit}
audit_types: [initial, re-audit, follow-up]
finding_grades: [major, minor, observation]
scoring: {scale: percent, decimals: 0}
grades:
- code: good
  conformant: true
  band: {min: 50, max: 100}
  title: {en: Good, fr: Bon}
- code: poor
  conformant: false
  band: {min: 0, max: 49}
  title: {en: Poor, fr: Faible}
rules:
  outcome:
    when_raised:
      major: poor
  cycles:
    good: {valid_for: 2y, next_audit: 2y, next_audit_type: re-audit}
    poor: {next_audit: 6m, next_audit_type: follow-up}
  plan_due: 60d
  closure_due:
    major: 90d
"""


def test_the_small_programme_is_valid() -> None:
    p = parse(GOOD, "small.yaml")
    assert (p.key, p.source, [g.code for g in p.grades]) == (
        "small@1",
        "small.yaml",
        ["good", "poor"],
    )


BAD = [
    # (what changes, replaced by, line, field path, words of the message)
    (
        "plan_due: 60d",
        "plan_due: 13 parsecs",
        25,
        "rules.plan_due",
        "'13 parsecs' is not a duration",
    ),
    ("plan_due: 60d", "plan_due: 0d", 25, "rules.plan_due", "at least 1d"),
    ("plan_due: 60d", "plan_due: 11y", 25, "rules.plan_due", "at most ten years"),
    ("plan_due: 60d", "plan_due: 60", 25, "rules.plan_due", "60 is not a duration"),
    ("plan_due: 60d", "plan_dew: 60d", 25, "rules.plan_dew", "unknown field 'plan_dew'"),
    ("  plan_due: 60d\n", "", 18, "rules", "the field 'plan_due' is missing"),
    ("code: small", "code: small\ncolour: red", 3, "colour", "unknown field 'colour'"),
    (
        "band: {min: 50, max: 100}",
        "band: {min: 50, max: 100, step: 1}",
        12,
        "grades[0].band.step",
        "unknown field 'step'",
    ),
    (
        "max: 49}",
        "max: 50}",
        16,
        "grades[1].band.max",
        "bands overlap: poor ends at 50, good starts at 50",
    ),
    (
        "max: 49}",
        "max: 47}",
        16,
        "grades[1].band.max",
        "gap between bands: poor ends at 47, good starts at 50; a score of 48",
    ),
    ("max: 100}", "max: 99}", 12, "grades[0].band.max", "the best band must reach 100"),
    ("min: 0,", "min: 1,", 16, "grades[1].band.min", "the worst band must start at 0"),
    ("min: 50,", "min: 50.5,", 12, "grades[0].band.min", "more decimal places"),
    ("max: 100}", "max: 101}", 12, "grades[0].band.max", "from 0 to 100"),
    (
        "major: poor",
        "major: dreadful",
        21,
        "rules.outcome.when_raised.major",
        "unknown grade 'dreadful'",
    ),
    (
        "major: poor",
        "zero-tolerance: poor",
        21,
        "rules.outcome.when_raised.zero-tolerance",
        "not in this programme's finding_grades",
    ),
    (
        "major: poor",
        "catastrophic: poor",
        21,
        "rules.outcome.when_raised.catastrophic",
        "'catastrophic' is not one of major, minor",
    ),
    ("    major: 90d", "    minor: 1 fortnight", 27, "rules.closure_due.minor", "not a duration"),
    ("    poor: {next", "    awful: {next", 24, "rules.cycles.awful", "unknown grade 'awful'"),
    (
        "  cycles:\n    good: {valid_for: 2y, next_audit: 2y, next_audit_type: re-audit}\n",
        "  cycles:\n",
        22,
        "rules.cycles",
        "the grade 'good' has no cycle",
    ),
    (
        "good: {valid_for: 2y, ",
        "good: {",
        23,
        "rules.cycles.good",
        "conformant: say how long with valid_for",
    ),
    (
        "poor: {next",
        "poor: {valid_for: 1y, next",
        24,
        "rules.cycles.poor.valid_for",
        "not conformant: it has no validity",
    ),
    (
        "next_audit_type: follow-up}",
        "next_audit_type: unannounced}",
        24,
        "rules.cycles.poor.next_audit_type",
        "unannounced is not one of this programme's audit_types",
    ),
    (
        "audit_types: [initial,",
        "audit_types: [surprise,",
        6,
        "audit_types[0]",
        "'surprise' is not one of initial",
    ),
    (
        "audit_types: [initial,",
        "audit_types: [follow-up,",
        6,
        "audit_types[2]",
        "follow-up is listed twice",
    ),
    (
        "title: {en: Small, fr: Petit}",
        "title: {en: Small}",
        5,
        "title",
        "the text in 'fr' is missing",
    ),
    (
        "title: {en: Small, fr: Petit}",
        "title: {en: Small, fr: Petit, de: Klein}",
        5,
        "title.de",
        "'de' is not one of the languages",
    ),
    ("languages: [en, fr]", "languages: [fr]", 4, "languages", "English ('en') must be one"),
    ('version: "1"', "version: 1.0", 3, "version", "should be text, not 1.0 (quote it)"),
    ("code: small", "code: Small Programme", 2, "code", "not a valid code"),
    ("oretrace_programme: 1", "oretrace_programme: 2", 1, "oretrace_programme", "reads format 1"),
    ("  conformant: false", "  conformant: maybe", 15, "grades[1].conformant", "true or false"),
    (
        "  conformant: true\n  band: {min: 50, max: 100}\n  title: {en: Good, fr: Bon}\n"
        "- code: poor\n  conformant: false",
        "  conformant: false\n  band: {min: 50, max: 100}\n  title: {en: Good, "
        "fr: Bon}\n- code: poor\n  conformant: true",
        15,
        "grades[1].conformant",
        "a conformant grade cannot follow one that is not",
    ),
    ("- code: poor", "- code: good", 14, "grades[1].code", "the grade 'good' is defined twice"),
    (
        "scoring: {scale: percent, decimals: 0}\n",
        "",
        11,
        "grades[0].band",
        "needs the programme's scoring",
    ),
    ("scale: percent", "scale: stars", 8, "scoring.scale", "the only scale is 'percent'"),
]


def _cases() -> list[tuple[str, str, int, str, str]]:
    cases = list(BAD)
    # a grade without a band that no rule leads to (needs two changes: the grade, and its cycle)
    cases.append(
        (
            "- code: poor\n  conformant: false\n  band: {min: 0, max: 49}\n"
            "  title: {en: Poor, fr: Faible}\n",
            "- code: poor\n  conformant: false\n  band: {min: 0, max: 49}\n"
            "  title: {en: Poor, fr: Faible}\n- code: lost\n  conformant: false\n"
            "  title: {en: Lost, fr: Perdu}\n",
            18,
            "grades[2]",
            "the grade 'lost' has no band and no finding rule leads to it",
        )
    )
    return cases


@pytest.mark.parametrize(("old", "new", "line", "path", "words"), _cases())
def test_a_bad_file_is_refused_naming_file_line_and_field(
    old: str, new: str, line: int, path: str, words: str
) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    if "code: lost" in new and "cycles" not in new:
        text = text.replace(
            "    poor: {next",
            "    lost: {next_audit: 3m, next_audit_type: follow-up}\n    poor: {next",
        )
    with pytest.raises(ProgrammeError) as refused:
        parse(text, "small.yaml")
    error = refused.value
    assert (error.source, error.line, error.path) == ("small.yaml", line, path), str(error)
    assert words in error.problem
    assert str(error).startswith(f"small.yaml:{line}: {path}: ")


def test_two_conformant_grades_in_a_row_are_fine() -> None:
    text = GOOD.replace("- code: poor\n  conformant: false", "- code: poor\n  conformant: true")
    text = text.replace("poor: {next", "poor: {valid_for: 6m, next")
    assert parse(text).grade("poor").conformant


@pytest.mark.parametrize(
    ("text", "words", "line"),
    [
        ("code: [unclosed", "not valid YAML", 2),
        ("- just\n- a list\n", "should be a mapping", 1),
        ("a: &x 1\nb: *x\n", "anchors and aliases", 1),
        ("a: " + "[" * 40 + "]" * 40, "nests deeper than", 1),
    ],
)
def test_files_that_are_not_a_programme_are_refused(text: str, words: str, line: int) -> None:
    with pytest.raises(ProgrammeError, match=words) as refused:
        parse(text, "odd.yaml")
    assert refused.value.line == line


def test_binary_and_huge_files_are_refused() -> None:
    with pytest.raises(ProgrammeError, match=r"odd\.yaml: not UTF-8 text \(byte 0\)"):
        parse(b"\xff\xfe", "odd.yaml")
    with pytest.raises(ProgrammeError, match="larger than"):
        parse(" " * (MAX_BYTES + 1), "odd.yaml")


# --- durations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("1m", date(2026, 1, 31), date(2026, 2, 28)),  # clamped to the month's end
        ("1m", date(2028, 1, 31), date(2028, 2, 29)),  # a leap year
        ("3m", date(2026, 11, 30), date(2027, 2, 28)),  # across the year
        ("12m", date(2026, 1, 31), date(2027, 1, 31)),
        ("1y", date(2028, 2, 29), date(2029, 2, 28)),
        ("90d", date(2026, 3, 10), date(2026, 6, 8)),
        ("2w", date(2026, 12, 25), date(2027, 1, 8)),
        (" 6 m ", date(2026, 8, 31), date(2027, 2, 28)),
    ],
)
def test_durations_count_days_and_calendar_months(text: str, start: date, end: date) -> None:
    assert duration(text).after(start) == end


@pytest.mark.parametrize("text", ["13 parsecs", "1.5m", "-3d", "m", "12", "", "1 year", None, 90])
def test_a_bad_duration_says_how_to_write_one(text: object) -> None:
    with pytest.raises(ValueError, match=r"write a whole number and a unit.*90d, 12m, 1y"):
        duration(text)


def test_a_duration_prints_as_written() -> None:
    assert str(duration("18m")) == "18m"
    assert duration("18m") == Duration(18, "m")


# --- fingerprint ----------------------------------------------------------------------------------


def _shipped_text(name: str) -> str:
    return (SHIPPED / f"{name}.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("rmap-style-smelter", 'version: "2026.1"', 'version: "2026.2"'),
        ("rmap-style-smelter", "en: Not conformant", "en: Non-conformant"),
        ("rmap-style-smelter", "# Audit programme", "# An audit programme"),
        ("rmap-style-smelter", "plan_due: 90d", "plan_due:     90d   # three months"),
        ("jewellery-style-certification", "next_audit: 36m", "next_audit: 3y"),  # the same span
        ("graded-social-audit", "next_audit: 3m", "next_audit: 3m"),
        ("mica-processor-workplace", "zero-tolerance: 30d", "zero-tolerance: 30d  "),
    ],
)
def test_fingerprint_ignores_what_is_not_a_rule(name: str, old: str, new: str) -> None:
    text = _shipped_text(name)
    assert old in text
    assert parse(text.replace(old, new, 1)).fingerprint == parse(text).fingerprint


RULE_CHANGES = [
    ("rmap-style-smelter", "plan_due: 90d", "plan_due: 60d"),
    ("rmap-style-smelter", "major: conformant-1y", "major: conformant-2y"),
    ("rmap-style-smelter", "      minor: non-conformant\n", ""),
    ("rmap-style-smelter", "conformant-1y: {valid_for: 1y", "conformant-1y: {valid_for: 13m"),
    ("rmap-style-smelter", "non-conformant: {next_audit: 90d", "non-conformant: {next_audit: 91d"),
    ("rmap-style-smelter", "    minor: 6m", "    minor: 5m"),
    ("rmap-style-smelter", "next_audit: 3y, next_audit_type: re-audit",
     "next_audit: 3y, next_audit_type: surveillance"),
    ("rmap-style-smelter", "standard_code: null", "standard_code: smelter-refiner-esg"),
    ("rmap-style-smelter", ", unannounced]", "]"),
    ("rmap-style-smelter", ", good-practice]", "]"),
    ("jewellery-style-certification", "major: certified-1y", "major: certified-3y"),
    ("jewellery-style-certification", "    zero-tolerance: 30d\n", ""),
    ("graded-social-audit", "ZT: {next_audit: 3m", "ZT: {next_audit: 4m"),
    ("graded-social-audit", "      zero-tolerance: ZT\n",
     "      zero-tolerance: ZT\n    when_open:\n      major: D\n"),
    ("mica-processor-workplace", "when_open:\n      major: non-conformant",
     "when_open:\n      major: suspended"),
    ("mica-processor-workplace", "code: mica-processor-workplace", "code: mica-unit-workplace"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new"), RULE_CHANGES)
def test_fingerprint_changes_with_every_rule(name: str, old: str, new: str) -> None:
    text = _shipped_text(name)
    assert old in text
    assert parse(text.replace(old, new, 1)).fingerprint != parse(text).fingerprint


def test_fingerprint_changes_with_the_bands_and_the_scores_precision() -> None:
    finer = GOOD.replace("decimals: 0", "decimals: 1").replace("max: 49}", "max: 49.9}")
    moved = GOOD.replace("min: 50, max: 100", "min: 60, max: 100").replace("max: 49}", "max: 59}")
    fingerprints = {parse(text).fingerprint for text in (GOOD, finer, moved)}
    assert len(fingerprints) == 3


def test_a_new_version_leaves_the_old_one_as_it_was() -> None:
    text = _shipped_text("jewellery-style-certification")
    old = parse(text)
    new = parse(
        text.replace('version: "2026.1"', 'version: "2027.1"').replace(
            "major: certified-1y", "major: not-certified"
        )
    )
    assert old.fingerprint != new.fingerprint
    assert outcome_of(old, [FindingGrade.MAJOR]).grade == "certified-1y"
    assert outcome_of(new, [FindingGrade.MAJOR]).grade == "not-certified"


def test_every_shipped_file_parses_and_names_its_source() -> None:
    names = sorted(path.name for path in SHIPPED.glob("*.yaml"))
    assert [p.source for p in shipped()] == names
