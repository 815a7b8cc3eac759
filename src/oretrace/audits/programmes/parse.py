"""Read a programme file: YAML (safely) in, a ``Programme`` out, or a ``ProgrammeError`` that
names the file, the line and the field path (``grades[3].band.min``) and says what was expected.

The checks are a small schema written out in code (every mapping lists the fields it accepts,
so a misspelt field is refused rather than ignored) followed by the checks between fields: rules
may name only the programme's own grades and audit types, bands cover 0-100 % without gap or
overlap, every grade has its cycle. The format is described in docs/user-guide/audit-programmes.md.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn, TypeVar

import yaml

from oretrace.audits.programmes.model import (
    AuditType,
    CycleRule,
    Duration,
    FindingGrade,
    Grade,
    Programme,
    ProgrammeError,
    Rules,
    Scoring,
)
from oretrace.core import yamlfile
from oretrace.core.yamlfile import Path, dotted, line_of

FORMAT_VERSION = 1
MAX_BYTES = 1024 * 1024  # a programme file is a few KB
MAX_DEPTH = 16  # a programme file nests 5 levels
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_PROGRAMME_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,29}$")
_DURATION = re.compile(r"^\s*([0-9]{1,4})\s*([dwmy])\s*$")
_MAX_DAYS = {"d": 3660, "w": 523, "m": 120, "y": 10}  # ten years at most
_HUNDRED = Decimal(100)
T = TypeVar("T")


def parse(text: str | bytes, source: str = "<text>") -> Programme:
    """Parse and check one programme version; raise ``ProgrammeError`` naming what is wrong."""
    root, data = _load(text, source)
    return _Reader(source, root).programme(data)


def _load(text: str | bytes, source: str) -> tuple[yaml.Node | None, Any]:
    if len(text) > MAX_BYTES:
        raise ProgrammeError(f"the file is larger than {MAX_BYTES // 1024} KB", source=source)
    try:
        return yamlfile.load(text, max_depth=MAX_DEPTH)
    except yamlfile.YamlFileError as exc:
        raise ProgrammeError(exc.problem, source=source, line=exc.line) from None


def duration(text: object) -> Duration:
    """``"90d"`` → ``Duration(90, "d")``; ``ValueError`` explaining the format otherwise."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"{text!r} is not a duration: write a whole number and a unit, d (days), w (weeks), "
            "m (months) or y (years), as in 90d, 12m, 1y"
        )
    amount, unit = int(match[1]), match[2]
    if not 1 <= amount <= _MAX_DAYS[unit]:
        raise ValueError(f"{text!r} must be at least 1{unit} and at most ten years")
    return Duration(amount, unit)


class _Reader:
    """Walks the loaded data, refusing the first problem with its path and line."""

    def __init__(self, source: str, root: yaml.Node | None) -> None:
        self.source, self.root = source, root
        self.languages: tuple[str, ...] = ("en",)

    def fail(self, path: Path, problem: str) -> NoReturn:
        raise ProgrammeError(
            problem, source=self.source, path=dotted(path), line=line_of(self.root, path)
        )

    # --- shapes ---------------------------------------------------------------------------------

    def fields(
        self, value: Any, path: Path, required: Iterable[str], optional: Iterable[str] = ()
    ) -> dict[str, Any]:
        required, optional = tuple(required), tuple(optional)
        if not isinstance(value, dict):
            self.fail(path, f"should be a mapping with the fields {', '.join(required)}")
        for key in value:
            if key not in required and key not in optional:
                known = ", ".join(sorted((*required, *optional)))
                self.fail((*path, str(key)), f"unknown field {key!r} (the fields here: {known})")
        for key in required:
            if key not in value:
                self.fail(path, f"the field {key!r} is missing")
        return value

    def listed(self, value: Any, path: Path, *, least: int = 1) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, "should be a list")
        if len(value) < least:
            self.fail(path, f"needs at least {least} entr{'y' if least == 1 else 'ies'}")
        return value

    def text(self, value: Any, path: Path, pattern: re.Pattern[str] | None = None) -> str:
        if isinstance(value, bool) or not isinstance(value, str):
            hint = " (quote it)" if isinstance(value, int | float | bool) else ""
            self.fail(path, f"should be text, not {value!r}{hint}")
        if not value.strip():
            self.fail(path, "should not be empty")
        if pattern is not None and not pattern.match(value):
            self.fail(
                path, f"{value!r} is not a valid code (letters, digits, '-', '.', '_'; no spaces)"
            )
        return value

    def texts(self, value: Any, path: Path, *, required: bool = True) -> dict[str, str]:
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self.fail(path, f"should be a text per language ({', '.join(self.languages)})")
        for language in value:
            if language not in self.languages:
                self.fail((*path, str(language)), f"{language!r} is not one of the languages")
        for language in self.languages:
            if language not in value:
                self.fail(path, f"the text in {language!r} is missing")
        return {lang: self.text(value[lang], (*path, lang)) for lang in self.languages}

    def choice(self, value: Any, path: Path, kind: Callable[[str], T], what: str) -> T:
        try:
            return kind(value)
        except ValueError:
            self.fail(path, f"{value!r} is not {what}")

    def duration(self, value: Any, path: Path) -> Duration:
        try:
            return duration(value)
        except ValueError as exc:
            self.fail(path, str(exc))

    def percent(self, value: Any, path: Path, decimals: int) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.fail(path, f"should be a number from 0 to 100, not {value!r}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(path, f"{value!r} is not a number")
        if not number.is_finite() or not 0 <= number <= _HUNDRED:
            self.fail(path, f"{value!r} should be a number from 0 to 100")
        if -number.as_tuple().exponent > decimals:  # type: ignore[operator]
            self.fail(path, f"{value!r} has more decimal places than the scoring's {decimals}")
        return number

    # --- the programme --------------------------------------------------------------------------

    def programme(self, data: Any) -> Programme:
        top = self.fields(
            data,
            (),
            (
                "oretrace_programme",
                "code",
                "version",
                "languages",
                "title",
                "audit_types",
                "grades",
                "rules",
            ),
            ("description", "standard_code", "finding_grades", "scoring"),
        )
        if top["oretrace_programme"] != FORMAT_VERSION:
            self.fail(("oretrace_programme",), f"this oretrace reads format {FORMAT_VERSION}")
        self.languages = self._languages(top["languages"])
        scoring = self._scoring(top.get("scoring"))
        finding_grades = self._finding_grades(top.get("finding_grades"))
        audit_types = tuple(
            self.choice(v, ("audit_types", i), AuditType, _one_of(AuditType))
            for i, v in enumerate(self.listed(top["audit_types"], ("audit_types",)))
        )
        self._unique(audit_types, ("audit_types",))
        grades = self._grades(top["grades"], scoring)
        rules = self._rules(top["rules"], grades, finding_grades, audit_types)
        self._reachable(grades, rules, scoring)
        standard = top.get("standard_code")
        programme = Programme(
            code=self.text(top["code"], ("code",), _PROGRAMME_CODE),
            version=self.text(top["version"], ("version",), _VERSION),
            title=self.texts(top["title"], ("title",)),
            standard_code=None if standard is None else self.text(standard, ("standard_code",)),
            audit_types=audit_types,
            grades=grades,
            rules=rules,
            fingerprint="",
            description=self.texts(top.get("description"), ("description",), required=False),
            languages=self.languages,
            finding_grades=finding_grades,
            scoring=scoring,
            source=self.source,
        )
        return _with_fingerprint(programme)

    def _languages(self, value: Any) -> tuple[str, ...]:
        languages = tuple(
            self.text(v, ("languages", i), _CODE)
            for i, v in enumerate(self.listed(value, ("languages",)))
        )
        if "en" not in languages:
            self.fail(("languages",), "English ('en') must be one of the languages")
        self._unique(languages, ("languages",))
        return languages

    def _unique(self, values: tuple[object, ...], path: Path) -> None:
        for i, value in enumerate(values):
            if value in values[:i]:
                self.fail((*path, i), f"{value!s} is listed twice")

    def _scoring(self, value: Any) -> Scoring | None:
        if value is None:
            return None
        fields = self.fields(value, ("scoring",), ("scale",), ("decimals",))
        if fields["scale"] != "percent":
            self.fail(("scoring", "scale"), "the only scale is 'percent'")
        decimals = fields.get("decimals", 0)
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 2:
            self.fail(("scoring", "decimals"), "should be 0, 1 or 2")
        return Scoring(decimals)

    def _finding_grades(self, value: Any) -> tuple[FindingGrade, ...]:
        if value is None:
            return tuple(FindingGrade)
        grades = tuple(
            self.choice(v, ("finding_grades", i), FindingGrade, _one_of(FindingGrade))
            for i, v in enumerate(self.listed(value, ("finding_grades",)))
        )
        self._unique(grades, ("finding_grades",))
        return grades

    def _grades(self, value: Any, scoring: Scoring | None) -> tuple[Grade, ...]:
        grades: list[Grade] = []
        for i, item in enumerate(self.listed(value, ("grades",), least=2)):
            at: Path = ("grades", i)
            fields = self.fields(item, at, ("code", "title", "conformant"), ("band",))
            code = self.text(fields["code"], (*at, "code"), _CODE)
            if any(g.code == code for g in grades):
                self.fail((*at, "code"), f"the grade {code!r} is defined twice")
            conformant = fields["conformant"]
            if not isinstance(conformant, bool):
                self.fail((*at, "conformant"), "should be true or false")
            if grades and conformant and not grades[-1].conformant:
                self.fail(
                    (*at, "conformant"),
                    "grades go from best to worst: a conformant "
                    "grade cannot follow one that is not",
                )
            low = high = None
            if "band" in fields:
                if scoring is None:
                    self.fail((*at, "band"), "a band needs the programme's scoring (percent)")
                band = self.fields(fields["band"], (*at, "band"), ("min", "max"))
                low = self.percent(band["min"], (*at, "band", "min"), scoring.decimals)
                high = self.percent(band["max"], (*at, "band", "max"), scoring.decimals)
                if low > high:
                    self.fail((*at, "band"), f"min {low} is above max {high}")
            title = self.texts(fields["title"], (*at, "title"))
            grades.append(Grade(code, title, conformant, low, high))
        if scoring is not None:
            self._bands(grades, scoring)
        return tuple(grades)

    def _bands(self, grades: list[Grade], scoring: Scoring) -> None:
        """Banded grades, best first, cover 0-100 % with neither gap nor overlap at the
        scoring's precision (86-100 then 71-85 in whole percent)."""
        banded = [(i, g) for i, g in enumerate(grades) if g.banded]
        if len(banded) < 2:
            self.fail(("grades",), "a programme with scoring needs at least two banded grades")
        step = Decimal(1).scaleb(-scoring.decimals)
        first_i, first = banded[0]
        if first.max_score != _HUNDRED:
            self.fail(("grades", first_i, "band", "max"), "the best band must reach 100")
        last_i, last = banded[-1]
        if last.min_score != 0:
            self.fail(("grades", last_i, "band", "min"), "the worst band must start at 0")
        for (_, upper), (i, lower) in itertools.pairwise(banded):
            starts, ends = _band(upper)[0], _band(lower)[1]
            expected = starts - step
            where = f"{lower.code} ends at {ends}, {upper.code} starts at {starts}"
            if ends > expected:
                self.fail(
                    ("grades", i, "band", "max"),
                    f"bands overlap: {where} (bands go from best to worst; "
                    f"{lower.code} should end at {expected})",
                )
            if ends < expected:
                self.fail(
                    ("grades", i, "band", "max"),
                    f"gap between bands: {where}; a score of {ends + step} would be in no band",
                )

    def _rules(
        self,
        value: Any,
        grades: tuple[Grade, ...],
        finding_grades: tuple[FindingGrade, ...],
        audit_types: tuple[AuditType, ...],
    ) -> Rules:
        top = self.fields(value, ("rules",), ("cycles", "plan_due"), ("closure_due", "outcome"))
        codes = {g.code: g for g in grades}

        def finding(key: Any, path: Path) -> FindingGrade:
            grade = self.choice(key, path, FindingGrade, _one_of(FindingGrade))
            if grade not in finding_grades:
                self.fail(
                    path,
                    f"the finding grade {key!r} is not in this programme's "
                    f"finding_grades ({', '.join(finding_grades)})",
                )
            return grade

        def outcome_grade(code: Any, path: Path) -> str:
            if code not in codes:
                self.fail(path, f"unknown grade {code!r} (the grades: {', '.join(codes)})")
            return str(code)

        effects = self.fields(
            top.get("outcome", {}), ("rules", "outcome"), (), ("when_raised", "when_open")
        )
        when: dict[str, dict[FindingGrade, str]] = {}
        for name in ("when_raised", "when_open"):
            at: Path = ("rules", "outcome", name)
            given = effects.get(name, {})
            if not isinstance(given, dict):
                self.fail(at, "should map finding grades to the best outcome grade they allow")
            when[name] = {
                finding(k, (*at, str(k))): outcome_grade(v, (*at, str(k))) for k, v in given.items()
            }
        closure_given = top.get("closure_due", {})
        if not isinstance(closure_given, dict):
            self.fail(("rules", "closure_due"), "should map finding grades to durations")
        closure = {
            finding(k, ("rules", "closure_due", str(k))): self.duration(
                v, ("rules", "closure_due", str(k))
            )
            for k, v in closure_given.items()
        }
        return Rules(
            cycles=self._cycles(top["cycles"], codes, audit_types),
            plan_due=self.duration(top["plan_due"], ("rules", "plan_due")),
            closure_due=closure,
            when_raised=when["when_raised"],
            when_open=when["when_open"],
        )

    def _cycles(
        self, value: Any, codes: Mapping[str, Grade], audit_types: tuple[AuditType, ...]
    ) -> dict[str, CycleRule]:
        path: Path = ("rules", "cycles")
        if not isinstance(value, dict):
            self.fail(path, "should give a cycle for each grade")
        for code in value:
            if code not in codes:
                self.fail(
                    (*path, str(code)), f"unknown grade {code!r} (the grades: {', '.join(codes)})"
                )
        cycles: dict[str, CycleRule] = {}
        for code, grade in codes.items():
            if code not in value:
                self.fail(path, f"the grade {code!r} has no cycle")
            at: Path = (*path, code)
            fields = self.fields(value[code], at, ("next_audit", "next_audit_type"), ("valid_for",))
            kind = self.choice(
                fields["next_audit_type"], (*at, "next_audit_type"), AuditType, _one_of(AuditType)
            )
            if kind not in audit_types:
                self.fail(
                    (*at, "next_audit_type"),
                    f"{kind!s} is not one of this programme's "
                    f"audit_types ({', '.join(audit_types)})",
                )
            valid = fields.get("valid_for")
            if grade.conformant and valid is None:
                self.fail(at, f"{code} is conformant: say how long with valid_for")
            if not grade.conformant and valid is not None:
                self.fail((*at, "valid_for"), f"{code} is not conformant: it has no validity")
            cycles[code] = CycleRule(
                valid_for=None if valid is None else self.duration(valid, (*at, "valid_for")),
                next_audit=self.duration(fields["next_audit"], (*at, "next_audit")),
                next_audit_type=kind,
            )
        return cycles

    def _reachable(self, grades: tuple[Grade, ...], rules: Rules, scoring: Scoring | None) -> None:
        """In a graded programme, a grade without a band must be the target of a finding rule:
        otherwise no audit could ever get it."""
        if scoring is None:
            return
        targets = {*rules.when_raised.values(), *rules.when_open.values()}
        for i, grade in enumerate(grades):
            if not grade.banded and grade.code not in targets:
                self.fail(
                    ("grades", i),
                    f"the grade {grade.code!r} has no band and no finding "
                    "rule leads to it: no audit could get it",
                )


def _band(grade: Grade) -> tuple[Decimal, Decimal]:
    if grade.min_score is None or grade.max_score is None:
        raise ValueError(f"{grade.code} has no band")
    return grade.min_score, grade.max_score


def _one_of(kind: Iterable[object]) -> str:
    return "one of " + ", ".join(str(v) for v in kind)


# --- fingerprint ----------------------------------------------------------------------------------


def _canonical_duration(d: Duration | None) -> str | None:
    """Equal spans, equal text: 2w is 14d and 1y is 12m everywhere in the fingerprint."""
    if d is None:
        return None
    if d.unit == "w":
        return f"{d.amount * 7}d"
    if d.unit == "y":
        return f"{d.amount * 12}m"
    return str(d)


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def canonical_rules(p: Programme) -> dict[str, Any]:
    """Everything that decides an audit's outcome and deadlines, and nothing else: titles,
    descriptions, the version label and the file's layout and comments are left out."""
    r = p.rules
    return {
        "code": p.code,
        "standard_code": p.standard_code,
        "audit_types": sorted(p.audit_types),
        "finding_grades": sorted(p.finding_grades),
        "scoring": None if p.scoring is None else {"decimals": p.scoring.decimals},
        "grades": [
            [g.code, g.conformant, _number(g.min_score), _number(g.max_score)] for g in p.grades
        ],
        "cycles": {
            code: [
                _canonical_duration(c.valid_for),
                _canonical_duration(c.next_audit),
                str(c.next_audit_type),
            ]
            for code, c in r.cycles.items()
        },
        "plan_due": _canonical_duration(r.plan_due),
        "closure_due": {str(k): _canonical_duration(v) for k, v in r.closure_due.items()},
        "when_raised": {str(k): v for k, v in r.when_raised.items()},
        "when_open": {str(k): v for k, v in r.when_open.items()},
    }


def _with_fingerprint(p: Programme) -> Programme:
    text = json.dumps(canonical_rules(p), sort_keys=True, separators=(",", ":"))
    return replace(p, fingerprint=hashlib.sha256(text.encode()).hexdigest())
