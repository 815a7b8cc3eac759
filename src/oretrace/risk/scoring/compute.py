"""The scoring function: (methodology, subject, observations, children) → total and breakdown.

Each indicator's points (by its observation's state) and each child's total are items of their
category; a category's value aggregates its items, the total aggregates the categories. An
item's contribution is its points times its share in its category times its category's share
in the subject (``highest`` gives the first highest item the whole share, ``average`` an equal
one, ``weighted`` weight over the weights' sum). The raw contributions are computed in a fixed
Decimal context; the total is their sum rounded half-even to two places, and each contribution
is rounded down to two places and then given the cents the total still lacks, largest remainder
first (ties by position), so the rounded contributions sum exactly to the total.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal, localcontext

from oretrace.risk.scoring.methodology import (
    UNKNOWN,
    Category,
    Methodology,
    MethodologyError,
    SubjectMethod,
)

CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)
CENT = Decimal("0.01")
SHARE = Decimal("0.0001")
ONE = Decimal(1)
ZERO = Decimal(0)
CHILD_SOURCE = "score"  # the source named in a child's contribution


@dataclass(frozen=True, slots=True)
class Evidence:
    """What an observation rests on: a sentence, the edition it comes from, a record to open."""

    text: str
    edition: int | None = None
    ref: str = ""  # "facility:12", "declaration:5", "flag:3", "status:8": the page links it


@dataclass(frozen=True, slots=True)
class Observation:
    """One source's state for a subject (or a figure that the indicator's bands place)."""

    state: str = UNKNOWN
    value: Decimal | None = None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Child:
    """A child subject's score, as an item of a children category."""

    label: str
    total: Decimal
    weight: Decimal = ONE
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Contribution:
    category: str
    indicator: str  # the indicator's code, or the child's label
    source: str
    state: str
    points: Decimal
    share: Decimal  # of the total, 0..1, as computed (before rounding)
    value: Decimal  # points x share, rounded so that the values sum to the total
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Score:
    subject: str
    methodology: str
    total: Decimal
    level: str
    contributions: tuple[Contribution, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class _Item:
    code: str
    source: str
    state: str
    points: Decimal
    weight: Decimal
    evidence: tuple[Evidence, ...] = ()


def _shares(
    aggregation: str, values: Sequence[Decimal], weights: Sequence[Decimal]
) -> list[Decimal]:
    if aggregation == "highest":
        top = values.index(max(values))
        return [ONE if i == top else ZERO for i in range(len(values))]
    if aggregation == "average":
        return [ONE / len(values)] * len(values)
    total = sum(weights, ZERO)
    return [weight / total for weight in weights]


def _indicator_items(category: Category, inputs: Mapping[str, Observation]) -> list[_Item]:
    items = []
    for indicator in category.indicators:
        seen = inputs.get(indicator.source, Observation())
        state = seen.state
        if seen.value is not None and indicator.bands:
            state = indicator.state_of(seen.value)
        if state not in indicator.points:
            raise MethodologyError(
                f"{indicator.code}: the source {indicator.source} gave the state {state!r}, "
                "which the methodology does not score"
            )
        items.append(
            _Item(
                indicator.code,
                indicator.source,
                state,
                indicator.points[state],
                indicator.weight,
                seen.evidence,
            )
        )
    return items


def _child_items(category: Category, children: Sequence[Child]) -> list[_Item]:
    if not children:
        # a children category always has its unknown points (checked when it was read)
        unknown = category.unknown if category.unknown is not None else Decimal(100)
        return [_Item(UNKNOWN, CHILD_SOURCE, UNKNOWN, unknown, ONE)]
    return [
        _Item(
            child.label,
            CHILD_SOURCE,
            "scored",
            child.total,
            child.weight,
            (Evidence(child.label, ref=child.ref),) if child.ref else (),
        )
        for child in children
    ]


def _allocate(raw: Sequence[Decimal]) -> tuple[Decimal, list[Decimal]]:
    """The total (rounded half-even to cents) and the raw values rounded so they sum to it."""
    total = sum(raw, ZERO).quantize(CENT, rounding=ROUND_HALF_EVEN)
    floors = [value.quantize(CENT, rounding=ROUND_FLOOR) for value in raw]
    cents = int((total - sum(floors, ZERO)) / CENT)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:cents]:
        floors[i] += CENT
    return total, floors


def _subject(methodology: Methodology, subject: str) -> SubjectMethod:
    method = methodology.subjects.get(subject)  # type: ignore[call-overload]
    if method is None:
        raise MethodologyError(f"{methodology.key} has no method for a {subject}")
    return method  # type: ignore[no-any-return]


def score(
    methodology: Methodology,
    subject: str,
    inputs: Mapping[str, Observation],
    children: Mapping[str, Sequence[Child]] | None = None,
) -> Score:
    """Score one subject: ``inputs`` by source name (a missing source is unknown), ``children``
    by the kind of child subject (``facility``) for the categories that aggregate them."""
    method = _subject(methodology, subject)
    children = children or {}
    with localcontext(CONTEXT):
        groups: list[tuple[Category, list[_Item], list[Decimal]]] = []
        for category in method.categories:
            if category.children:
                items = _child_items(category, children.get(category.children, ()))
            else:
                items = _indicator_items(category, inputs)
            points = [item.points for item in items]
            shares = _shares(category.aggregation, points, [item.weight for item in items])
            groups.append((category, items, shares))
        values = [
            sum((s * i.points for s, i in zip(sh, it, strict=True)), ZERO) for _, it, sh in groups
        ]
        outer = _shares(method.aggregation, values, [c.weight for c, _, _ in groups])
        flat = [
            (category, item, share * inner)
            for (category, items, shares), share in zip(groups, outer, strict=True)
            for item, inner in zip(items, shares, strict=True)
        ]
        total, rounded = _allocate([item.points * share for _, item, share in flat])
    contributions = tuple(
        Contribution(
            category.code,
            item.code,
            item.source,
            item.state,
            item.points,
            share,
            value,
            item.evidence,
        )
        for (category, item, share), value in zip(flat, rounded, strict=True)
    )
    return Score(subject, methodology.key, total, methodology.level_of(total), contributions)


def _canonical(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Evidence):
        return [value.text, value.edition, value.ref]
    if isinstance(value, Observation):
        return [value.state, _canonical(value.value), [_canonical(e) for e in value.evidence]]
    if isinstance(value, Child):
        return [value.label, str(value.total), str(value.weight), value.ref]
    return value


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _header(methodology: Methodology, subject: str, editions: Mapping[str, int | None]) -> str:
    return _json({"methodology": methodology.key, "subject": subject, "editions": editions})


def fingerprint(
    methodology: Methodology,
    subject: str,
    inputs: Mapping[str, Observation],
    children: Mapping[str, Sequence[Child]] | None = None,
    editions: Mapping[str, int | None] | None = None,
) -> str:
    """SHA-256 (hex) of everything a score rests on: equal fingerprints, equal scores. The text
    hashed is a header line (methodology, subject, editions), then one line per source and one
    per child, each its canonical JSON, sources in name order."""
    lines = [_header(methodology, subject, editions or {})]
    lines += [f"{k}\t{_json(_canonical(v))}" for k, v in sorted(inputs.items())]
    for kind, found in sorted((children or {}).items()):
        lines += [f"{kind}\t{_json(_canonical(child))}" for child in found]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def contribution_row(c: Contribution) -> dict[str, object]:
    """A contribution as a score stores it: Decimals as strings, the share to four places,
    the evidence as [text, edition id, reference]."""
    return {
        "category": c.category,
        "indicator": c.indicator,
        "source": c.source,
        "state": c.state,
        "points": str(c.points),
        "share": str(c.share.quantize(SHARE)),
        "value": str(c.value),
        "evidence": [[e.text, e.edition, e.ref] for e in c.evidence],
    }


def breakdown(contributions: Iterable[Contribution]) -> list[dict[str, object]]:
    """A score's contributions as it stores them."""
    return [contribution_row(c) for c in contributions]


@dataclass(frozen=True, slots=True)
class Stored:
    """What a store of many scores needs of one: the total, the level, the breakdown as JSON
    text (``breakdown`` of its contributions) and the fingerprint."""

    total: Decimal
    level: str
    breakdown: str
    fingerprint: str


class Scorer:
    """``score`` and ``fingerprint`` for many subjects with few distinct facts (most facilities
    of a country and mineral share theirs), for bulk recomputes.

    The arithmetic is kept per combination of states, the canonical and breakdown texts per
    observation: pass the same ``Observation`` objects for the same facts (the gatherer shares
    them) and a subject costs a few lookups. ``stored`` gives what ``score``, ``breakdown``
    and ``fingerprint`` would, as text (the tests compare the two paths)."""

    def __init__(self, methodology: Methodology, editions: Mapping[str, int | None]) -> None:
        self.methodology = methodology
        self.editions = dict(editions)
        self._numbers: dict[tuple[object, ...], tuple[Score, list[str]]] = {}
        self._texts: dict[int, tuple[Observation, str, str]] = {}  # id → (kept, canonical, ev.)

    def _text(self, seen: Observation) -> tuple[Observation, str, str]:
        known = self._texts.get(id(seen))
        if known is None:
            evidence = _json([[e.text, e.edition, e.ref] for e in seen.evidence])
            known = self._texts[id(seen)] = (seen, _json(_canonical(seen)), evidence)
        return known

    def _arithmetic(
        self, subject: str, inputs: Mapping[str, Observation]
    ) -> tuple[Score, list[str]]:
        key = (subject, *((k, v.state, v.value) for k, v in sorted(inputs.items())))
        known = self._numbers.get(key)
        if known is None:
            bare = {k: Observation(v.state, v.value) for k, v in inputs.items()}
            numbers = score(self.methodology, subject, bare)
            prefixes = [_prefix(c) for c in numbers.contributions]
            known = self._numbers[key] = (numbers, prefixes)
        return known

    def score(self, subject: str, inputs: Mapping[str, Observation]) -> Score:
        numbers, _prefixes = self._arithmetic(subject, inputs)
        return Score(
            numbers.subject,
            numbers.methodology,
            numbers.total,
            numbers.level,
            tuple(_with_evidence(c, inputs.get(c.source)) for c in numbers.contributions),
        )

    def stored(self, subject: str, inputs: Mapping[str, Observation]) -> Stored:
        numbers, prefixes = self._arithmetic(subject, inputs)
        texts = {k: self._text(v) for k, v in inputs.items()}
        parts = []
        for c, prefix in zip(numbers.contributions, prefixes, strict=True):
            seen = texts.get(c.source)
            parts.append(f"{prefix}{seen[2] if seen else '[]'}}}")
        lines = [_header(self.methodology, subject, self.editions)]
        lines += [f"{k}\t{texts[k][1]}" for k in sorted(texts)]
        print_ = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        return Stored(numbers.total, numbers.level, f"[{','.join(parts)}]", print_)


def _prefix(contribution: Contribution) -> str:
    """A contribution's stored JSON up to its evidence, which each subject fills in."""
    row = contribution_row(contribution)
    del row["evidence"]
    plain = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    return plain[:-1] + ',"evidence":'


def _with_evidence(contribution: Contribution, seen: Observation | None) -> Contribution:
    if seen is None or not seen.evidence:
        return contribution
    c = contribution
    return Contribution(
        c.category, c.indicator, c.source, c.state, c.points, c.share, c.value, seen.evidence
    )
