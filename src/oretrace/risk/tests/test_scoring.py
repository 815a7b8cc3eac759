"""The pure scoring package: breakdowns sum to the score for any methodology and inputs
(hypothesis), each aggregation, unknown above known-low, the shipped methodology, and bad
methodology files refused naming the field."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from oretrace.risk.scores.texts import METHODOLOGY_TITLES
from oretrace.risk.scoring import (
    UNKNOWN,
    Child,
    Evidence,
    MethodologyError,
    Observation,
    Scorer,
    breakdown,
    fingerprint,
    parse,
    read,
    score,
)
from oretrace.risk.scoring.methodology import SOURCE_STATES

SHIPPED = Path(__file__).resolve().parents[1] / "methodologies" / "oretrace-2026.1.yaml"
SOURCES = ["cahra", "dol-goods", "assurance", "declaration", "red-flags"]


def _indicator(code, source, points, weight=1):
    return {"code": code, "title": code, "source": source, "weight": weight, "points": points}


def _method(categories, aggregation="weighted", **subjects):
    return {
        "format": 1,
        "code": "test",
        "version": "1",
        "title": "Test",
        "levels": [{"code": "low", "at_least": 0}, {"code": "high", "at_least": 50}],
        "subjects": {
            "facility": {"aggregation": aggregation, "categories": categories},
            **subjects,
        },
    }


def _points(source, known=Decimal(0), unknown=Decimal(50)):
    return {**dict.fromkeys(SOURCE_STATES[source], known), UNKNOWN: unknown}


def _two(aggregation):
    """One category of two indicators (cahra worth 100 in conflict, assurance 40 when active)."""
    cahra = {**_points("cahra"), "conflict_affected": 100}
    assurance = {**_points("assurance"), "active": 40}
    return parse(
        _method(
            [
                {
                    "code": "c",
                    "title": "c",
                    "aggregation": aggregation,
                    "indicators": [
                        _indicator("a", "cahra", cahra, weight=3),
                        _indicator("b", "assurance", assurance, weight=1),
                    ],
                }
            ]
        ),
        "test",
    )


OBSERVED = {"cahra": Observation("conflict_affected"), "assurance": Observation("active")}


def test_highest_takes_the_highest_indicator_whole():
    result = score(_two("highest"), "facility", OBSERVED)
    assert result.total == Decimal("100.00")
    assert [c.value for c in result.contributions] == [Decimal("100.00"), Decimal("0.00")]


def test_average_gives_each_indicator_an_equal_share():
    result = score(_two("average"), "facility", OBSERVED)
    assert result.total == Decimal("70.00")
    assert [c.value for c in result.contributions] == [Decimal("50.00"), Decimal("20.00")]


def test_weighted_shares_by_weight():
    result = score(_two("weighted"), "facility", OBSERVED)
    assert result.total == Decimal("85.00")  # (3 x 100 + 1 x 40) / 4
    assert [c.value for c in result.contributions] == [Decimal("75.00"), Decimal("10.00")]
    assert result.level == "high"


def test_categories_aggregate_too():
    cats = [
        {
            "code": "x",
            "title": "x",
            "weight": 1,
            "indicators": [_indicator("a", "cahra", {**_points("cahra"), "high_risk": 90})],
        },
        {
            "code": "y",
            "title": "y",
            "weight": 2,
            "indicators": [_indicator("b", "assurance", _points("assurance", unknown=Decimal(30)))],
        },
    ]
    inputs = {"cahra": Observation("high_risk")}
    assert score(parse(_method(cats, "highest"), "t"), "facility", inputs).total == 90
    assert score(parse(_method(cats, "average"), "t"), "facility", inputs).total == 60
    assert score(parse(_method(cats, "weighted"), "t"), "facility", inputs).total == 50


def test_unknown_scores_above_known_low():
    method = read(SHIPPED.read_text(), SHIPPED.name)
    known_low = {
        "cahra": Observation("not_listed"),
        "dol-goods": Observation("not_listed"),
        "dol-countries": Observation(value=Decimal("0.01")),
        "assurance": Observation("conformant"),
        "red-flags": Observation("none"),
    }
    low = score(method, "facility", known_low)
    unknown = score(method, "facility", {})
    assert low.total == 0
    assert unknown.total > low.total
    assert all(c.state == UNKNOWN and c.points > 0 for c in unknown.contributions)


def test_a_supplier_aggregates_its_facilities_and_unknown_when_it_names_none():
    method = read(SHIPPED.read_text(), SHIPPED.name)
    inputs = {"declaration": Observation("complete"), "red-flags": Observation("none")}
    children = {"facility": [Child("A", Decimal("20")), Child("B", Decimal("55.55"), ref="f:2")]}
    named = score(method, "supplier", inputs, children)
    assert named.total == Decimal("27.78")  # highest child 55.55 x 50 % (27.775, half-even)
    assert named.contributions[1].evidence == (Evidence("B", ref="f:2"),)
    none_named = score(method, "supplier", inputs, {})
    assert none_named.total == Decimal("35.00")  # the category's unknown, 70 x 50 %


def test_a_lot_weights_its_origins_by_mass():
    method = read(SHIPPED.read_text(), SHIPPED.name)
    children = {"facility": [Child("A", Decimal(10), Decimal(3)), Child("B", Decimal(50), ONE)]}
    assert score(method, "lot", {}, children).total == 20


ONE = Decimal(1)


def test_the_scorer_memory_gives_the_same_scores_with_their_own_evidence():
    method = read(SHIPPED.read_text(), SHIPPED.name)
    scorer = Scorer(method, {"cahra": 1})
    first = {"cahra": Observation("high_risk", evidence=(Evidence("one", 1, "edition:1"),))}
    second = {"cahra": Observation("high_risk", evidence=(Evidence("two", 1, "edition:1"),))}
    assert scorer.score("facility", first) == score(method, "facility", first)
    assert scorer.score("facility", second) == score(method, "facility", second)
    assert fingerprint(method, "facility", first) != fingerprint(method, "facility", second)


def test_the_same_inputs_give_the_same_score_and_fingerprint():
    method = read(SHIPPED.read_text(), SHIPPED.name)
    inputs = {
        "cahra": Observation("region_unknown"),
        "dol-countries": Observation(value=Decimal("0.1")),
    }
    assert score(method, "facility", inputs) == score(method, "facility", dict(inputs))
    assert fingerprint(method, "facility", inputs) == fingerprint(method, "facility", dict(inputs))


# --- the property: contributions sum to the total, for any methodology and inputs -----------

POINTS = st.integers(0, 10000).map(lambda n: Decimal(n) / 100)
WEIGHTS = st.integers(1, 1000).map(lambda n: Decimal(n) / 10)
AGGREGATIONS = st.sampled_from(["highest", "average", "weighted"])


@st.composite
def indicators(draw, source):
    known = {state: draw(POINTS) for state in SOURCE_STATES[source]}
    low = min(known.values())
    unknown = draw(st.integers(int(low * 100) + 1, 10000).map(lambda n: Decimal(n) / 100))
    return _indicator(f"i-{source}", source, {**known, UNKNOWN: unknown}, draw(WEIGHTS))


@st.composite
def methodologies(draw):
    categories = []
    for n in range(draw(st.integers(1, 4))):
        sources = draw(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=3, unique=True))
        categories.append(
            {
                "code": f"c{n}",
                "title": "c",
                "weight": draw(WEIGHTS),
                "aggregation": draw(AGGREGATIONS),
                "indicators": [draw(indicators(source)) for source in sources],
            }
        )
    supplier = {
        "aggregation": draw(AGGREGATIONS),
        "categories": [
            {
                "code": "children",
                "title": "children",
                "aggregation": draw(AGGREGATIONS),
                "children": "facility",
                "unknown": draw(st.integers(1, 100)),
            },
            *categories,
        ],
    }
    return parse(_method(categories, draw(AGGREGATIONS), supplier=supplier), "generated")


@st.composite
def observations(draw):
    chosen = draw(st.lists(st.sampled_from(SOURCES), unique=True))
    return {s: Observation(draw(st.sampled_from([*SOURCE_STATES[s], UNKNOWN]))) for s in chosen}


CHILDREN = st.lists(st.builds(Child, st.text(max_size=5), POINTS, WEIGHTS), max_size=6).map(
    lambda found: {"facility": found}
)


@settings(max_examples=300, deadline=None)
@given(methodologies(), observations(), CHILDREN)
def test_contributions_sum_exactly_to_the_total(method, inputs, children):
    for subject, kids in (("facility", None), ("supplier", children)):
        result = score(method, subject, inputs, kids)
        assert sum(c.value for c in result.contributions) == result.total
        assert all(c.value == c.value.quantize(Decimal("0.01")) for c in result.contributions)
        assert Decimal(0) <= result.total <= Decimal(100)
        assert score(method, subject, dict(inputs), kids) == result  # bit for bit


# --- bad methodology files --------------------------------------------------------------------


def _shipped():
    return yaml.safe_load(SHIPPED.read_text())


def _refused(data, match):
    with pytest.raises(MethodologyError, match=match):
        parse(data, "bad.yaml")


def test_a_missing_unknown_state_is_refused_naming_the_indicator():
    data = _shipped()
    del data["subjects"]["facility"]["categories"][0]["indicators"][0]["points"]["unknown"]
    _refused(data, r"bad.yaml: subjects.facility.categories\[0\].indicators\[0\]: .*unknown")


def test_unknown_scored_as_zero_is_refused():
    data = _shipped()
    data["subjects"]["facility"]["categories"][2]["indicators"][0]["points"]["unknown"] = 0
    _refused(data, r"categories\[2\].indicators\[0\]: unknown must score above zero")


def test_an_unknown_aggregation_is_refused_naming_the_field():
    data = _shipped()
    data["subjects"]["supplier"]["categories"][1]["aggregation"] = "median"
    _refused(data, r"subjects.supplier.categories\[1\].aggregation: Input should be")


def test_points_out_of_range_and_unknown_fields_are_refused():
    data = _shipped()
    data["subjects"]["facility"]["categories"][0]["indicators"][0]["points"]["high_risk"] = 120
    _refused(data, "between 0 and 100")
    data = copy.deepcopy(_shipped())
    data["subjects"]["facility"]["categories"][0]["weigth"] = 3
    _refused(data, r"categories\[0\].weigth: Extra inputs are not permitted")


def test_a_category_without_indicators_or_children_is_refused():
    data = _shipped()
    data["subjects"]["facility"]["categories"][0]["indicators"] = []
    _refused(data, r"categories\[0\]: a category has either indicators or children")


def test_levels_and_yaml_syntax_are_checked():
    data = _shipped()
    data["levels"][0]["at_least"] = 5
    _refused(data, "levels must start at 0")
    with pytest.raises(MethodologyError, match=r"bad.yaml: line 2: not valid YAML"):
        read("format: 1\n  code: [oops\n", "bad.yaml")
    with pytest.raises(MethodologyError, match="a mapping of fields"):
        read("- 1\n", "bad.yaml")


EVIDENCE = st.lists(
    st.builds(Evidence, st.text(max_size=8), st.none() | st.integers(1, 9), st.text(max_size=8)),
    max_size=2,
).map(tuple)


@settings(max_examples=200, deadline=None)
@given(methodologies(), st.data())
def test_the_bulk_path_stores_what_the_plain_path_computes(method, data):
    """``Scorer.stored`` (texts kept per observation) equals ``score`` + ``breakdown`` +
    ``fingerprint``, for any methodology, states and evidence."""
    chosen = data.draw(st.lists(st.sampled_from(SOURCES), unique=True))
    inputs = {
        s: Observation(
            data.draw(st.sampled_from([*SOURCE_STATES[s], UNKNOWN])), None, data.draw(EVIDENCE)
        )
        for s in chosen
    }
    editions = {"cahra": data.draw(st.none() | st.integers(1, 5))}
    scorer = Scorer(method, editions)
    for _twice in range(2):
        stored = scorer.stored("facility", inputs)
        plain = score(method, "facility", inputs)
        assert stored.total == plain.total
        assert stored.level == plain.level
        assert json.loads(stored.breakdown) == breakdown(plain.contributions)
        assert stored.fingerprint == fingerprint(method, "facility", inputs, editions=editions)


def test_every_shipped_title_is_in_the_catalogues():
    """A shipped methodology's titles are shown translated: each must be marked for them."""
    for path in SHIPPED.parent.glob("*.yaml"):
        method = read(path.read_text(), path.name)
        for subject in method.subjects.values():
            for category in subject.categories:
                assert category.title in METHODOLOGY_TITLES, (path.name, category.title)
                for indicator in category.indicators:
                    assert indicator.title in METHODOLOGY_TITLES, (path.name, indicator.title)
