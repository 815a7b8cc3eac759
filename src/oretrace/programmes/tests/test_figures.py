"""The indicators computed from cases, against cases counted by hand."""

from datetime import date

from oretrace.programmes.figures import CaseFacts, Visit, compute

TODAY = date(2026, 6, 30)


def _visit(due, done=None, working=None):
    return Visit(due, done, working)


CASES = [
    # A: three kinds of remediation; two follow-ups, on time, latest out of work
    CaseFacts(
        "North",
        date(2026, 1, 5),
        frozenset({"school", "health", "income"}),
        (
            _visit(date(2026, 3, 1), date(2026, 2, 27), True),
            _visit(date(2026, 5, 30), date(2026, 5, 30), False),
        ),
    ),
    # B: one kind; one follow-up made late and still working, the next one missed (overdue)
    CaseFacts(
        "North",
        date(2026, 2, 1),
        frozenset({"bridge_school"}),
        (
            _visit(date(2026, 4, 1), date(2026, 4, 10), True),
            _visit(date(2026, 6, 1)),
        ),
    ),
    # C: no remediation yet, a visit due in the future (not counted yet)
    CaseFacts("South", date(2026, 6, 1), frozenset(), (_visit(date(2026, 8, 1)),)),
    # D: two kinds, one visit missed
    CaseFacts(
        "South",
        date(2026, 3, 1),
        frozenset({"school", "birth_registration"}),
        (_visit(date(2026, 6, 15)),),
    ),
]


def test_the_programme_figures_are_those_counted_by_hand():
    figures = compute(CASES, today=TODAY)
    assert figures.identified == 4
    assert figures.with_remediation == 3  # A, B, D
    assert figures.multiple_types == 2  # A (3 kinds), D (2 kinds)
    assert figures.followed_up == 2  # A, B
    assert figures.out_of_work == 1  # A's latest visit
    assert figures.visits_due == 5  # two of A, two of B, one of D (C's is not due yet)
    assert figures.visits_on_time == 2  # A's two; B late and missed, D missed
    assert str(figures.remediation_share) == "75.0"
    assert str(figures.multiple_share) == "50.0"
    assert str(figures.out_of_work_share) == "50.0"
    assert str(figures.on_time_share) == "40.0"


def test_a_village_alone_and_nothing_to_count():
    south = compute([c for c in CASES if c.village == "South"], today=TODAY)
    assert (south.identified, south.with_remediation, south.multiple_types) == (2, 1, 1)
    assert south.out_of_work_share is None  # nobody followed up: no share, not 0 %
    empty = compute([], today=TODAY)
    assert empty.remediation_share is None


def test_the_latest_follow_up_decides_even_when_recorded_out_of_order():
    case = CaseFacts(
        "X",
        date(2026, 1, 1),
        frozenset({"school"}),
        (
            _visit(date(2026, 5, 1), date(2026, 5, 1), False),
            _visit(date(2026, 3, 1), date(2026, 3, 1), True),
        ),
    )
    assert compute([case], today=TODAY).out_of_work == 1
