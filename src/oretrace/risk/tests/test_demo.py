"""The demo's made-up lists: two editions of one list with a diff, labelled as made up, and
a second demo run changes nothing."""

from __future__ import annotations

import pytest

from oretrace.core.demo import build_demo
from oretrace.risk import queries
from oretrace.risk.demo import PUBLISHER
from oretrace.risk.models import Edition

pytestmark = pytest.mark.django_db


def test_the_demo_writes_made_up_editions_with_a_diff(demo):
    editions = list(Edition.objects.order_by("kind", "edition_date"))
    assert [e.kind for e in editions] == ["cahra", "cahra", "dol-goods"]
    assert {e.publisher for e in editions} == {PUBLISHER}
    assert all("made up" in e.label for e in editions)
    second = editions[1]
    assert second.previous == editions[0]
    diff = queries.edition_diff(second)
    assert diff is not None
    assert diff.added == ["CD-IT", "ER"]
    assert diff.removed == ["CD-TA"]
    assert [c.key for c in diff.changed] == ["MG-U"]


def test_a_second_demo_run_changes_nothing(demo):
    before = list(Edition.objects.values_list("pk", flat=True))
    build_demo()
    assert list(Edition.objects.values_list("pk", flat=True)) == before
