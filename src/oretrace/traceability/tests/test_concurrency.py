"""Two captures of one organisation at the same time, each on its own database connection.

Web workers capture in parallel: the second of two captures bringing the same new event must
count it as known (not fail, not store it twice), and two captures taking from the same lot
must not overwrite each other's remaining quantity. PostgreSQL only: SQLite runs one writing
transaction at a time, so these races cannot happen there.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections, transaction

from oretrace.core.actors import SYSTEM
from oretrace.ledger.models import Leaf
from oretrace.traceability import services
from oretrace.traceability.models import CustodyFlag, EpcisEvent, Lot
from oretrace.traceability.tests import documents as docs

pytestmark = pytest.mark.django_db(transaction=True)

HOLD_SECONDS = 0.5  # how long the first capture keeps its transaction open


@pytest.fixture(autouse=True)
def _postgresql_only(reference_data):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time: no race to test")


def _shipment(kg: int, minute: int) -> dict[str, Any]:
    event = docs.shipping()
    event["eventTime"] = f"2026-03-02T09:{minute:02d}:00+05:30"
    event["quantityList"] = [{"epcClass": docs.RAW, "quantity": kg, "uom": "KGM"}]
    del event["epcList"]
    return event


def _race(organisation, first: bytes, second: bytes) -> services.Captured:
    """Capture ``first`` and hold its transaction open while ``second`` is captured.

    Returns the second capture's result (or raises its error)."""
    stored, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def run(name: str, raw: bytes, hold: bool) -> None:
        try:
            with transaction.atomic():
                outcome[name] = services.capture_document(
                    raw, organisation=organisation, actor=SYSTEM
                )
                if hold:
                    stored.set()
                    release.wait(10)
        except BaseException as exc:  # reported by the caller
            outcome[name] = exc
            stored.set()
        finally:
            connections.close_all()

    holder = threading.Thread(target=run, args=("first", first, True))
    holder.start()
    assert stored.wait(10)
    follower = threading.Thread(target=run, args=("second", second, False))
    follower.start()
    time.sleep(HOLD_SECONDS)  # the second capture reaches the first one's rows and waits
    release.set()
    holder.join(10)
    follower.join(10)
    for result in outcome.values():
        if isinstance(result, BaseException):
            raise result
    captured: services.Captured = outcome["second"]
    return captured


def test_an_event_brought_by_two_concurrent_captures_is_stored_once(org_a):
    shared, own = docs.collection(), docs.collection(30, when="2026-03-01T09:00:00+05:30")
    # when two captures bring the same new event at the same time
    second = _race(
        org_a, docs.as_bytes(docs.document(shared)), docs.as_bytes(docs.document(shared, own))
    )
    # then the second counts it as known and stores only its own event, logged once
    assert (second.capture.new_count, second.capture.known_count) == (1, 1)
    events = EpcisEvent.objects.filter(organisation=org_a)
    assert events.count() == 2
    logged = Leaf.objects.filter(record_type="traceability.epcisevent")
    assert sorted(int(leaf.record_id) for leaf in logged) == sorted(e.pk for e in events)
    # and the collected quantity is counted once per event
    assert Lot.objects.get(organisation=org_a, code=docs.RAW).quantity_kg == Decimal(150)


def test_two_concurrent_shipments_from_one_lot_are_both_taken(org_a):
    services.capture_document(
        docs.as_bytes(docs.document(docs.collection(120))), organisation=org_a, actor=SYSTEM
    )
    # when two shipments of 80 kg from the 120 kg lot are captured at the same time
    _race(
        org_a,
        docs.as_bytes(docs.document(_shipment(80, 10))),
        docs.as_bytes(docs.document(_shipment(80, 20))),
    )
    # then the second saw what the first took: the lot is empty and the excess is flagged
    lot = Lot.objects.get(organisation=org_a, code=docs.RAW)
    assert lot.remaining_kg == 0
    flag = CustodyFlag.objects.get(organisation=org_a)
    assert (flag.expected_kg, flag.actual_kg) == (Decimal(40), Decimal(80))
