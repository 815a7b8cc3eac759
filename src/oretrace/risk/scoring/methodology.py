"""A scoring methodology as data: read from YAML (safely), checked, or refused naming the field.

A methodology has a code and a version (``oretrace`` ``2026.1``), the levels a total falls in,
and per subject (a facility, a supplier, a product lot) its categories, each either a list of
indicators or an aggregate of child subjects' scores (a supplier over its declared smelters, a
lot over its origin facilities). An indicator reads one source and gives points (0-100) to each
of the source's states; every source has an ``unknown`` state whose points must be above zero
and above the lowest known state's: missing information is never scored as no risk. Each level
(indicators in a category, categories in a subject) aggregates by ``highest``, ``average`` or
``weighted``. The format is described in docs/user-guide/risk.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

FORMAT_VERSION = 1
UNKNOWN = "unknown"
_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = (
    yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
)
Aggregation = Literal["highest", "average", "weighted"]
SubjectKind = Literal["facility", "supplier", "lot"]
SourceName = Literal["cahra", "dol-goods", "dol-countries", "assurance", "declaration", "red-flags"]
# The states each source can be in, as the gatherer reports them (``dol-countries`` gives a
# number, which the indicator's bands turn into its states). Every source also has ``unknown``.
SOURCE_STATES: dict[str, tuple[str, ...]] = {
    "cahra": ("conflict_affected", "high_risk", "region_unknown", "not_listed"),
    "dol-goods": ("forced_and_child", "forced", "child", "not_listed"),
    "dol-countries": (),
    "assurance": ("conformant", "active", "none"),
    "declaration": ("complete", "incomplete", "undisclosed"),
    "red-flags": ("none", "low", "medium", "high"),  # the highest open flag's severity
}
_CODE = r"^[a-z0-9][a-z0-9_-]*$"
Points = Decimal


class MethodologyError(ValueError):
    """A methodology file that cannot be used; the message names the file and the field."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Spec):
    """A state of a numeric source: from ``at_least`` up to the next band's bound."""

    state: str = Field(pattern=_CODE, max_length=40)
    at_least: Decimal


class Indicator(_Spec):
    code: str = Field(pattern=_CODE, max_length=40)
    title: str = Field(min_length=1, max_length=200)
    source: SourceName
    weight: Decimal = Field(default=Decimal(1), gt=0)
    points: dict[str, Decimal]
    bands: list[Band] = []
    terms: dict[str, list[str]] = Field(
        default={}, description="Words the gatherer matches (goods per mineral, statuses)."
    )

    @model_validator(mode="after")
    def _states(self) -> Self:
        for state, value in self.points.items():
            if not Decimal(0) <= value <= Decimal(100):
                raise ValueError(f"points of {state!r} must be between 0 and 100, not {value}")
        if self.source == "dol-countries" and not self.bands:
            raise ValueError("a dol-countries indicator needs bands (the states of its figure)")
        bounds = [band.at_least for band in self.bands]
        if bounds != sorted(bounds, reverse=True) or len(set(bounds)) != len(bounds):
            raise ValueError("bands must go from the highest bound down, each bound once")
        expected = {*SOURCE_STATES[self.source], *(b.state for b in self.bands), UNKNOWN}
        if missing := sorted(expected - self.points.keys()):
            raise ValueError(f"points lack the state(s) {', '.join(missing)}")
        if extra := sorted(self.points.keys() - expected):
            raise ValueError(f"points name unknown state(s) {', '.join(extra)}")
        _unknown_counts(self.points[UNKNOWN], [v for k, v in self.points.items() if k != UNKNOWN])
        return self

    def state_of(self, value: Decimal) -> str:
        """The band a figure falls in (``unknown`` below every band)."""
        for band in self.bands:
            if value >= band.at_least:
                return band.state
        return UNKNOWN


def _unknown_counts(unknown: Decimal, known: list[Decimal]) -> None:
    if unknown <= 0 or (known and unknown <= min(known)):
        raise ValueError(
            f"unknown must score above zero and above the lowest known state, not {unknown}"
        )


class Category(_Spec):
    code: str = Field(pattern=_CODE, max_length=40)
    title: str = Field(min_length=1, max_length=200)
    weight: Decimal = Field(default=Decimal(1), gt=0)
    aggregation: Aggregation = "weighted"
    indicators: list[Indicator] = []
    children: Literal["facility"] | None = None
    unknown: Decimal | None = Field(
        default=None, ge=0, le=100, description="Points when a children category has none."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if bool(self.indicators) == bool(self.children):
            raise ValueError("a category has either indicators or children, and one of them")
        if self.children and self.unknown is None:
            raise ValueError("a children category needs unknown: its points when it has none")
        if self.children and self.unknown is not None:
            _unknown_counts(self.unknown, [])
        codes = [indicator.code for indicator in self.indicators]
        if len(set(codes)) != len(codes):
            raise ValueError("indicator codes must differ within a category")
        return self


class SubjectMethod(_Spec):
    aggregation: Aggregation = "weighted"
    categories: list[Category] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes(self) -> Self:
        codes = [category.code for category in self.categories]
        if len(set(codes)) != len(codes):
            raise ValueError("category codes must differ within a subject")
        return self


class Level(_Spec):
    code: str = Field(pattern=_CODE, max_length=20)
    at_least: Decimal = Field(ge=0, le=100)


class Methodology(_Spec):
    format: Literal[1]
    code: str = Field(pattern=_CODE, max_length=40)
    version: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+-]*$", max_length=20)
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    levels: list[Level] = Field(min_length=1)
    subjects: dict[SubjectKind, SubjectMethod]

    @model_validator(mode="after")
    def _levels(self) -> Self:
        bounds = [level.at_least for level in self.levels]
        if bounds[0] != 0 or bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
            raise ValueError("levels must start at 0 and rise, each bound once")
        if "facility" not in self.subjects:
            raise ValueError("subjects need a facility method (the others aggregate it)")
        return self

    @property
    def key(self) -> str:
        return f"{self.code}-{self.version}"

    def level_of(self, total: Decimal) -> str:
        level = self.levels[0].code
        for candidate in self.levels:
            if total >= candidate.at_least:
                level = candidate.code
        return level


def _where(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not part.startswith(("function-", "literal[", "decimal", "str")):
            path += f".{part}" if path else part
    return path or "(top)"


def parse(data: Any, name: str) -> Methodology:
    """A methodology from already-loaded data (a dict), or ``MethodologyError``."""
    if not isinstance(data, dict):
        raise MethodologyError(f"{name}: a methodology is a mapping of fields, not {data!r:.40}")
    try:
        return Methodology.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        raise MethodologyError(f"{name}: {_where(tuple(first['loc']))}: {message}") from None


def read(text: str | bytes, name: str = "methodology") -> Methodology:
    """Read a methodology file, or raise ``MethodologyError`` naming the file and field."""
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise MethodologyError(f"{name}:{where}: not valid YAML") from None
    return parse(data, name)
