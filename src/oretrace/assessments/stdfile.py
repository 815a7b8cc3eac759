"""The YAML file format of a standard: read (safely) and checked, or written. No ORM, no settings.

A file holds one standard version with its sections, criteria and questions, every text in each
of the standard's languages. ``read`` returns a ``StandardSpec`` or raises ``StandardFileError``
naming the line and the field (``sections[1].criteria[0].severity``); ``dump`` writes a spec back
so that ``read(dump(spec)) == spec``. The format is described in docs/user-guide/assessments.md.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from oretrace.assessments.exceptions import StandardFileError
from oretrace.core import yamlfile

FORMAT_VERSION = 1
Texts = dict[str, str]
OutcomeCode = Literal["met", "partly", "not_met", "na"]
YES_NO_VALUES = ("yes", "no", "partly", "na")
_CONVENTION = re.compile(r"^[CP]\d{1,3}$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceSpec(_Spec):
    value: str = Field(min_length=1, max_length=40)
    label: Texts
    outcome: OutcomeCode | None = None


class ConditionSpec(_Spec):
    question: str
    answer_in: list[str] = Field(min_length=1)


class QuestionSpec(_Spec):
    code: str = Field(min_length=1, max_length=50)
    type: Literal["yes_no", "number", "date", "text", "choice", "evidence"]
    text: Texts
    help: Texts = {}
    required: bool = True
    evidence_required: bool = False
    allow_not_applicable: bool = False
    expected: Literal["yes", "no"] | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    unit: Texts = {}
    max_age_days: int | None = Field(default=None, ge=1)
    choices: list[ChoiceSpec] = []
    shown_when: ConditionSpec | None = None


class CriterionSpec(_Spec):
    code: str = Field(min_length=1, max_length=40)
    severity: Literal["critical", "high", "medium", "low"]
    requirement: Texts
    guidance: Texts = {}
    improvement_steps: Texts = {}
    ilo_conventions: list[str] = []
    oecd_annex_ii: list[int] = []
    rra_issue_areas: list[str] = []
    questions: list[QuestionSpec] = Field(min_length=1)


class SectionSpec(_Spec):
    code: str = Field(min_length=1, max_length=40)
    title: Texts
    criteria: list[CriterionSpec] = Field(min_length=1)


class StandardSpec(_Spec):
    oretrace_standard: Literal[1]
    code: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1, max_length=30)
    languages: list[str] = Field(min_length=1)
    title: Texts
    description: Texts = {}
    sections: list[SectionSpec] = Field(min_length=1)

    def questions(self) -> list[tuple[CriterionSpec, QuestionSpec]]:
        return [(c, q) for s in self.sections for c in s.criteria for q in c.questions]


# --- reading ------------------------------------------------------------------------------------


MAX_DEPTH = 64  # a standard file nests ~6 levels
MAX_BYTES = 5 * 1024 * 1024  # a standard file is ~100 KB


def read(text: str | bytes) -> StandardSpec:
    """Parse and check a standard file; raise ``StandardFileError`` naming line and field."""
    try:
        root, data = yamlfile.load(text, max_depth=MAX_DEPTH)
    except yamlfile.YamlFileError as exc:
        raise StandardFileError(exc.problem, line=exc.line) from None
    if not isinstance(data, dict):
        raise StandardFileError("the file must hold one mapping with the standard's fields", line=1)
    try:
        spec = StandardSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = tuple(first["loc"])
        raise StandardFileError(
            _pydantic_message(first), line=yamlfile.line_of(root, path), field=yamlfile.dotted(path)
        ) from None
    problem = _check(spec)
    if problem is not None:
        path, message = problem
        raise StandardFileError(
            message, line=yamlfile.line_of(root, path), field=yamlfile.dotted(path)
        )
    return spec


def _pydantic_message(error: Any) -> str:
    if error["type"] == "missing":
        return "this field is required"
    if error["type"] == "too_short" and isinstance(error.get("input"), list):
        return "needs at least one entry"
    if error["type"] == "extra_forbidden":
        return "unknown field (check its spelling)"
    if error["type"] == "string_type" and isinstance(error.get("input"), bool):
        return 'should be text: YAML reads yes and no as true/false, so write "yes" in quotes'

    return str(error["msg"])


def validate(data: dict[str, Any]) -> StandardSpec:
    """Check a standard given as data (the editor's) by the same rules as ``read``; raise
    ``StandardFileError`` naming the field."""
    try:
        spec = StandardSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise StandardFileError(
            _pydantic_message(first), field=yamlfile.dotted(tuple(first["loc"]))
        ) from None
    problem = _check(spec)
    if problem is not None:
        raise StandardFileError(problem[1], field=yamlfile.dotted(problem[0]))
    return spec


# --- checks beyond the schema -------------------------------------------------------------------

Problem = tuple[tuple[Any, ...], str]


def _check(spec: StandardSpec) -> Problem | None:
    if "en" not in spec.languages:
        return ("languages",), "English ('en') must be one of the languages"
    if len(set(spec.languages)) != len(spec.languages):
        return ("languages",), "a language is listed twice"
    checks = [
        _texts(spec.languages, ("title",), spec.title, required=True),
        _texts(spec.languages, ("description",), spec.description),
    ]
    section_codes: set[str] = set()
    criterion_codes: set[str] = set()
    seen: dict[str, QuestionSpec] = {}
    for s, section in enumerate(spec.sections):
        at: tuple[Any, ...] = ("sections", s)
        checks.append(_code(at, section.code, section_codes))
        checks.append(_texts(spec.languages, (*at, "title"), section.title, required=True))
        for c, criterion in enumerate(section.criteria):
            checks.append(
                _criterion(spec.languages, (*at, "criteria", c), criterion, criterion_codes)
            )
            for q, question in enumerate(criterion.questions):
                checks.append(
                    _question(spec.languages, (*at, "criteria", c, "questions", q), question, seen)
                )
                seen[question.code] = question
    return next((problem for problem in checks if problem is not None), None)


def _code(at: tuple[Any, ...], code: str, seen: set[str]) -> Problem | None:
    if not _CODE.match(code):
        return (*at, "code"), f"code {code!r} may hold only letters, digits, '.', '_' and '-'"
    if code in seen:
        return (*at, "code"), f"code {code!r} is used twice"
    seen.add(code)
    return None


def _texts(
    languages: list[str], at: tuple[Any, ...], texts: Texts, *, required: bool = False
) -> Problem | None:
    if not texts and not required:
        return None
    for language in languages:
        if not (texts.get(language) or "").strip():
            return at, f"the {language!r} text is missing or empty"
    extra = sorted(set(texts) - set(languages))
    if extra:
        return (*at, extra[0]), f"language {extra[0]!r} is not one of the standard's languages"
    return None


def _criterion(
    languages: list[str], at: tuple[Any, ...], criterion: CriterionSpec, seen: set[str]
) -> Problem | None:
    problems = [
        _code(at, criterion.code, seen),
        _texts(languages, (*at, "requirement"), criterion.requirement, required=True),
        _texts(languages, (*at, "guidance"), criterion.guidance),
        _texts(languages, (*at, "improvement_steps"), criterion.improvement_steps),
    ]
    for i, convention in enumerate(criterion.ilo_conventions):
        if not _CONVENTION.match(convention):
            problems.append(
                (
                    (*at, "ilo_conventions", i),
                    f"{convention!r} is not an ILO convention or protocol (C138, P29)",
                )
            )
    for i, risk in enumerate(criterion.oecd_annex_ii):
        if not 1 <= risk <= 10:
            problems.append(
                ((*at, "oecd_annex_ii", i), f"{risk} is not an OECD Annex II risk number (1 to 10)")
            )
    return next((p for p in problems if p is not None), None)


def _question(
    languages: list[str], at: tuple[Any, ...], question: QuestionSpec, seen: dict[str, QuestionSpec]
) -> Problem | None:
    codes = set(seen)
    problems = [
        _code(at, question.code, codes),
        _texts(languages, (*at, "text"), question.text, required=True),
        _texts(languages, (*at, "help"), question.help),
        _texts(languages, (*at, "unit"), question.unit),
        _type_parameters(languages, at, question),
        _condition(at, question, seen),
    ]
    return next((p for p in problems if p is not None), None)


def _type_parameters(
    languages: list[str], at: tuple[Any, ...], question: QuestionSpec
) -> Problem | None:
    kind = question.type
    allowed = {
        "yes_no": {"expected"},
        "number": {"minimum", "maximum", "unit"},
        "date": {"max_age_days"},
        "choice": {"choices"},
    }.get(kind, set())
    for name in ("expected", "minimum", "maximum", "unit", "max_age_days", "choices"):
        if name not in allowed and getattr(question, name) not in (None, [], {}):
            return (*at, name), f"{name} does not apply to a {kind} question"
    if kind == "yes_no" and question.expected is None:
        return (*at, "expected"), "a yes_no question needs the expected answer (yes or no)"
    if question.allow_not_applicable and kind != "yes_no":
        return (*at, "allow_not_applicable"), "only yes_no questions offer 'not applicable'"
    if (
        question.minimum is not None
        and question.maximum is not None
        and question.minimum > question.maximum
    ):
        return (*at, "minimum"), "the minimum is above the maximum"
    if kind == "choice":
        if len(question.choices) < 2:
            return (*at, "choices"), "a choice question needs at least two choices"
        values: set[str] = set()
        for i, choice in enumerate(question.choices):
            if choice.value in values:
                return (*at, "choices", i, "value"), f"choice {choice.value!r} is used twice"
            values.add(choice.value)
            problem = _texts(languages, (*at, "choices", i, "label"), choice.label, required=True)
            if problem is not None:
                return problem
    return None


def _condition(
    at: tuple[Any, ...], question: QuestionSpec, seen: dict[str, QuestionSpec]
) -> Problem | None:
    condition = question.shown_when
    if condition is None:
        return None
    parent = seen.get(condition.question)
    if parent is None:
        return (
            (*at, "shown_when", "question"),
            f"{condition.question!r} is not a question that comes before this one",
        )
    if parent.type == "yes_no":
        valid = set(YES_NO_VALUES)
    elif parent.type == "choice":
        valid = {c.value for c in parent.choices}
    else:
        return (
            (*at, "shown_when", "question"),
            f"a question can depend only on a yes_no or choice question, not {parent.type}",
        )
    for i, value in enumerate(condition.answer_in):
        if value not in valid:
            return (
                (*at, "shown_when", "answer_in", i),
                f"{value!r} is not an answer of {parent.code} ({', '.join(sorted(valid))})",
            )
    return None


# --- writing ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    """Block style, readable Unicode, texts of several lines as literal blocks."""


def _text_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text_representer)


def dump(spec: StandardSpec) -> str:
    """Write a spec as YAML; fields left at their default are omitted."""
    data = _plain(spec.model_dump(mode="python", exclude_defaults=True))
    data = {"oretrace_standard": FORMAT_VERSION, **data}
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
