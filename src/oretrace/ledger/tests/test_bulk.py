"""The fast paths of bulk appends give exactly what the plain definitions give.

- canonical JSON written by orjson is byte for byte the reference encoder's (``json`` with
  sorted keys, no whitespace, UTF-8), and everything else still goes through the reference;
- the tree hashed level by level is the in-memory tree, across tiles and batches;
- leaf rows written in chunks (``COPY`` text on PostgreSQL) hold what the ORM reads back,
  whatever characters the ids and actor labels contain, for batches of mixed record types;
- a stored tile that is not what the log expects stops the append and writes nothing.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import uuid

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from oretrace.core.actors import SystemActor
from oretrace.core.models import Country
from oretrace.core.tests.factories import OrganisationFactory
from oretrace.ledger import merkle, records
from oretrace.ledger import services as ledger
from oretrace.ledger.commitment import (
    canonical_json,
    commit,
    commit_record,
    commit_records,
    record_document,
)
from oretrace.ledger.merkle import MemoryTree, append_levels, leaf_hash, leaf_hashes, range_nodes
from oretrace.ledger.models import HashTile, Leaf, LogState
from oretrace.ledger.storage import DatabaseHashStore

_REFERENCE = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def reference(value: object) -> bytes:
    return _REFERENCE.encode(value).encode()


_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    _TEXT,
    st.floats(allow_nan=False, allow_infinity=False),
)
_JSON = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(_TEXT, inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=400)
@given(_JSON)
def test_canonical_json_is_the_reference_encoding(value):
    assert canonical_json(value) == reference(value)


def test_every_character_is_written_as_the_reference_writes_it():
    characters = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(characters), 4096):
        text = "".join(characters[start : start + 4096])
        assert canonical_json({text: text, "k": [text]}) == reference({text: text, "k": [text]})
    # keys sort by code point, as the reference sorts them (BMP above the surrogates, then astral)
    keys = {"\uffff": 1, "\U0001f600": 2, "\ue000": 3, "z": 4, "é": 5}
    assert canonical_json(keys) == reference(keys)


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    ONE = 1


class Code(str):
    def __lt__(self, other):  # a key type that sorts differently from its characters
        return str.__gt__(self, other)


@pytest.mark.parametrize(
    "value",
    [
        {"mass": 1e16, "share": 1e-05, "zero": -0.0, "one": 1.0},  # orjson writes 1e16, 1e-5
        {"big": 2**64, "small": -(2**63) - 1},  # beyond what orjson writes
        {"level": Level.ONE},
        {Code("a"): 1, Code("b"): 2},
        {1: "int keys", 2: "sorted by the reference"},
        [[[[0]]]] * 2,
        {"nested": {"deep": [{"x": [None, True, False, ""]}]}},
        "",
    ],
)
def test_values_beyond_plain_json_get_the_reference_bytes(value):
    assert canonical_json(value) == reference(value)


def test_deep_nesting_falls_back_to_the_reference():
    value: list[object] = []
    for _ in range(300):  # deeper than orjson writes
        value = [value]
    assert canonical_json(value) == reference(value)


@pytest.mark.parametrize(
    "value",
    [
        {"when": datetime.date(2026, 11, 22)},
        {"id": uuid.UUID(int=7)},
        {"colour": Colour.RED},
        {"amount": decimal.Decimal("1.5")},
        {"inf": float("inf")},
        "\ud800",
    ],
)
def test_what_the_reference_refuses_is_still_refused(value):
    with pytest.raises((TypeError, ValueError)) as expected:
        reference(value)
    with pytest.raises(expected.type):
        canonical_json(value)


@given(
    st.lists(
        st.tuples(
            st.binary(min_size=16, max_size=16),
            _TEXT,
            st.integers(min_value=1, max_value=10_000),
            st.dictionaries(_TEXT, _SCALAR, max_size=5),
        ),
        max_size=20,
    ),
    st.sampled_from(["core.organisation", "traceability.event", "x.\u00e9v\u00e9nement"]),
)
def test_a_batch_commits_as_the_document_does(batch, record_type):
    expected = [
        commit(salt, record_document(record_type, record_id, version, facts))
        for salt, record_id, version, facts in batch
    ]
    assert [commit_record(s, record_type, i, v, f) for s, i, v, f in batch] == expected
    columns = [list(column) for column in zip(*batch, strict=True)] or [[], [], [], []]
    salts, ids, versions, facts = columns
    assert commit_records(salts, record_type, ids, versions, facts) == expected


@given(st.lists(st.integers(min_value=0, max_value=700), min_size=1, max_size=6))
def test_levels_hashed_in_batch_are_the_in_memory_tree(batch_sizes):
    tree = MemoryTree()
    size, frontier = 0, list[bytes]()
    for n in batch_sizes:
        leaves = leaf_hashes(str(size + i).encode() for i in range(n))
        assert leaves == [leaf_hash(str(size + i).encode()) for i in range(n)]
        frontier, levels = append_levels(size, frontier, leaves)
        for leaf in leaves:
            tree.append_leaf_hash(leaf)
        size += n
        assert frontier == tree.hashes(range_nodes(0, size))
        for level, first, hashes in levels:
            assert first == (size - n) >> level
            assert first + len(hashes) == size >> level
            assert hashes == tree.levels[level][first : first + len(hashes)]


def test_a_frontier_that_does_not_fit_the_size_is_refused():
    with pytest.raises(merkle.MerkleError, match="frontier"):
        append_levels(3, [b"\x00" * 32], [b"\x01" * 32])


@pytest.fixture
def countries_are_records():
    """Countries as a second record type for a test (string ids, floats in their facts)."""
    spec = records.register(
        Country,
        "test.country",
        facts=lambda c: {"name": c.name, "area": 1e-05, "codes": [c.alpha3, c.numeric]},
        organisation_id=lambda c: c.organisation_id_for_test,
    )
    yield spec
    records._BY_NAME.pop("test.country", None)
    records._BY_MODEL.pop(Country, None)


def _check_leaves_open(leaves: list[Leaf]) -> None:
    for leaf in leaves:
        facts = ledger.facts_of(leaf)
        assert facts is not None
        assert leaf.salt is not None
        document = record_document(leaf.record_type, leaf.record_id, leaf.version, facts)
        assert bytes(leaf.entry) == commit(bytes(leaf.salt), document), leaf


def _tree_matches_the_leaves() -> None:
    tree = MemoryTree()
    for entry in Leaf.objects.order_by("index").values_list("entry", flat=True):
        tree.append(bytes(entry))
    state = LogState.objects.get()
    store = DatabaseHashStore()
    assert state.size == tree.size
    assert bytes(state.frontier) == b"".join(tree.hashes(range_nodes(0, tree.size)))
    assert merkle.root(state.size, store) == tree.root()
    for index in (0, 1, tree.size // 2, tree.size - 1):
        assert merkle.inclusion_proof(index, state.size, store) == tree.inclusion_proof(index)
    for tile in HashTile.objects.all():
        start = tile.index * 256
        expected = tree.levels[tile.level][start : start + len(tile.hashes) // 32]
        assert bytes(tile.hashes) == b"".join(expected)


@pytest.mark.django_db
def test_chunked_appends_store_the_leaves_and_tree_the_memory_tree_has(monkeypatch):
    monkeypatch.setattr(ledger, "_CHUNK", 7)  # many chunks per batch, chunk edges everywhere
    orgs = OrganisationFactory.create_batch(300)
    before = LogState.objects.filter(pk=1).values_list("size", flat=True).first() or 0
    with transaction.atomic():
        first = ledger.append_many(orgs[:257], actor=SystemActor("import\tbatch"), created=True)
    second = ledger.append_many(orgs[250:], actor=SystemActor("update"))
    assert first == range(before, before + 257)
    assert second == range(before + 257, before + 257 + 50)
    leaves = list(Leaf.objects.filter(index__in=[*first, *second]).order_by("index"))
    assert [leaf.record_id for leaf in leaves] == [str(o.pk) for o in orgs[:257] + orgs[250:]]
    assert [leaf.version for leaf in leaves[257:]] == [2] * 7 + [1] * 43
    assert {leaf.actor_label for leaf in leaves[:257]} == {"import\tbatch"}
    assert [leaf.organisation_id for leaf in leaves] == [o.pk for o in orgs[:257] + orgs[250:]]
    assert not any(leaf.deleted for leaf in leaves)
    _check_leaves_open(leaves)
    _tree_matches_the_leaves()


@pytest.mark.django_db
def test_a_batch_of_mixed_types_with_any_characters_is_stored_as_given(countries_are_records):
    org_a, org_b = OrganisationFactory.create_batch(2)
    odd = Country.objects.create(
        code="\t\\", alpha3="Q\nR", numeric="9\r9", name='Odd "land"\\ \t\n\r ü 😀'
    )
    odd.organisation_id_for_test = org_b.pk  # type: ignore[attr-defined]  # read by the test's record type
    label = 'back\\slash\ttab\nnew line\r "quoted" ü 😀'
    indexes = ledger.append_many([org_a, odd, org_b], actor=SystemActor(label))
    leaves = list(Leaf.objects.filter(index__in=indexes).order_by("index"))
    assert [(leaf.record_type, leaf.record_id) for leaf in leaves] == [
        ("core.organisation", str(org_a.pk)),
        ("test.country", "\t\\"),
        ("core.organisation", str(org_b.pk)),
    ]
    assert [leaf.organisation_id for leaf in leaves] == [org_a.pk, org_b.pk, org_b.pk]
    assert {leaf.actor_label for leaf in leaves} == {label}
    odd_leaf = leaves[1]
    facts = {"name": odd.name, "area": 1e-05, "codes": ["Q\nR", "9\r9"]}
    document = record_document("test.country", "\t\\", 1, facts)
    assert odd_leaf.entry is not None
    assert odd_leaf.salt is not None
    assert bytes(odd_leaf.entry) == commit(bytes(odd_leaf.salt), document)
    _check_leaves_open([leaves[0], leaves[2]])
    # a tombstone of the odd record goes the same way
    tombstone = ledger.record_deletion(odd, actor=SystemActor(label))
    assert tombstone.deleted
    assert (tombstone.version, tombstone.actor_label) == (2, label)
    assert tombstone.entry is not None
    assert tombstone.salt is not None
    assert bytes(tombstone.entry) == commit(
        bytes(tombstone.salt), record_document("test.country", "\t\\", 2, ledger.TOMBSTONE)
    )
    _tree_matches_the_leaves()


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["shortened", "missing"])
def test_a_tile_the_log_does_not_expect_stops_the_append(damage):
    orgs = OrganisationFactory.create_batch(12)
    ledger.append_many(orgs[:10], actor=SystemActor(), created=True)
    state = LogState.objects.get()
    size, leaves = state.size, Leaf.objects.count()
    assert size % 256, "the next append extends the last level-0 tile"
    tile = HashTile.objects.get(level=0, index=size // 256)
    if damage == "shortened":
        HashTile.objects.filter(pk=tile.pk).update(hashes=bytes(tile.hashes)[:-32])
        message = "bytes, the log expected"
    else:
        HashTile.objects.filter(pk=tile.pk).delete()
        message = "missing from the stored tree"
    with pytest.raises(RuntimeError, match=message):
        ledger.append_many(orgs[10:], actor=SystemActor(), created=True)
    assert LogState.objects.get().size == size
    assert Leaf.objects.count() == leaves
