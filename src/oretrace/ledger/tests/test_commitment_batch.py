"""The batch commitment gives exactly the bytes of the one-record commitment."""

from hypothesis import given
from hypothesis import strategies as st

from oretrace.ledger.commitment import commit_record, commit_records

_facts = st.dictionaries(
    st.text(max_size=8),
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12)),
    max_size=5,
)


@given(
    st.lists(
        st.tuples(
            st.binary(min_size=16, max_size=16),
            st.one_of(st.from_regex(r"[0-9]{1,9}", fullmatch=True), st.text(max_size=10)),
            st.integers(min_value=1, max_value=10_000),
            _facts,
        ),
        max_size=20,
    ),
    st.sampled_from(["core.organisation", "traceability.event", "x.\u00e9v\u00e9nement"]),
)
def test_batch_equals_one_by_one(batch, record_type):
    salts = [b[0] for b in batch]
    ids = [b[1] for b in batch]
    versions = [b[2] for b in batch]
    facts = [b[3] for b in batch]
    one_by_one = [commit_record(s, record_type, i, v, f) for s, i, v, f in batch]
    assert commit_records(salts, record_type, ids, versions, facts) == one_by_one
