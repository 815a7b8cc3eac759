"""Capture service: validate, store once, all or nothing, committed to the ledger."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import ChangeLogEntry
from oretrace.ledger.audit import run_audit
from oretrace.ledger.models import Leaf
from oretrace.traceability import services
from oretrace.traceability.exceptions import CaptureRejected, TraceabilityError
from oretrace.traceability.models import (
    CustodyEdge,
    EpcisCapture,
    EpcisEvent,
    EpcisIdentifier,
    Lot,
    LotMovement,
)
from oretrace.traceability.tests import chain
from oretrace.traceability.tests import documents as docs

pytestmark = pytest.mark.django_db


def _capture(member, doc=None):
    return services.capture_document(
        docs.as_bytes(doc or docs.document()), organisation=member.organisation, actor=member
    )


def test_capture_stores_events_with_indexed_fields_and_identifiers(member_a):
    # when
    result = _capture(member_a)
    # then
    events = list(EpcisEvent.objects.filter(organisation=member_a.organisation))
    assert [e.event_type for e in events] == [
        "ObjectEvent",
        "ObjectEvent",
        "TransformationEvent",
    ]
    assert [e.hash_id for e in events] == result.event_ids
    shipping = events[1]
    assert shipping.biz_step == "shipping"
    assert shipping.disposition == "in_transit"
    assert shipping.read_point == docs.DEPOT
    assert shipping.event_time.isoformat() == "2026-03-02T04:00:00+00:00"
    assert events[2].biz_step == "commissioning"  # the web URI is stored as the bare CBV term
    milling = {(i.role, i.value, str(i.quantity)) for i in events[2].identifiers.all()}
    assert milling == {
        ("input", docs.RAW, "100.000000"),
        ("output", docs.FLAKE, "62.500000"),
    }
    assert result.capture.event_count == 3
    assert result.capture.new_count == 3
    assert result.capture.schema_checked is False


def test_capture_commits_each_event_to_the_ledger_and_logs_the_capture(member_a):
    result = _capture(member_a)
    leaves = Leaf.objects.filter(record_type="traceability.epcisevent")
    events = EpcisEvent.objects.filter(capture=result.capture)
    assert sorted(int(leaf.record_id) for leaf in leaves) == sorted(e.pk for e in events)
    assert all(leaf.version == 1 for leaf in leaves)
    audit = run_audit()  # the tamper audit recomputes each event's facts from the database
    ours = [p for p in audit.problems if p["record_type"] == "traceability.epcisevent"]
    assert ours == []  # (the fixture organisations were made by factories, outside the log)
    assert audit.records >= 3
    entry = ChangeLogEntry.objects.for_object(result.capture).get()
    assert entry.action == ChangeAction.CREATE


def test_same_document_twice_stores_each_event_once(member_a):
    _capture(member_a)
    again = _capture(member_a)
    assert EpcisEvent.objects.count() == 3
    assert again.capture.new_count == 0
    assert again.capture.known_count == 3
    assert again.capture.event_count == 3
    assert Leaf.objects.filter(record_type="traceability.epcisevent").count() == 3


def test_same_event_twice_in_one_document_is_stored_once(member_a):
    result = _capture(member_a, docs.document(docs.collection(), docs.collection()))
    assert EpcisEvent.objects.count() == 1
    assert result.capture.new_count == 1
    assert result.capture.known_count == 0  # a repeat inside the document is not "known"
    assert result.event_ids[0] == result.event_ids[1]


def test_same_event_in_another_organisation_is_its_own(member_a, member_b):
    _capture(member_a)
    result = _capture(member_b)
    assert result.capture.new_count == 3
    assert EpcisEvent.objects.filter(organisation=member_b.organisation).count() == 3


def test_one_bad_event_refuses_the_whole_document(member_a):
    # given: a valid document whose third event has a text quantity
    bad = docs.milling()
    bad["outputQuantityList"][0]["quantity"] = "sixty"
    # when / then
    with pytest.raises(CaptureRejected, match=r"event 3 \(TransformationEvent\)") as caught:
        _capture(member_a, docs.document(docs.collection(), docs.shipping(), bad))
    assert [(p.event, p.field) for p in caught.value.problems] == [
        (3, "outputQuantityList[0].quantity")
    ]
    # nothing half-written
    assert not EpcisEvent.objects.exists()
    assert not EpcisCapture.objects.exists()
    assert not EpcisIdentifier.objects.exists()
    assert not Leaf.objects.filter(record_type="traceability.epcisevent").exists()


def test_not_json_is_refused(member_a):
    with pytest.raises(CaptureRejected, match="not JSON"):
        services.capture_document(b"epcis", organisation=member_a.organisation, actor=member_a)
    # a body starting with "<" is read as XML
    with pytest.raises(CaptureRejected, match="not an EPCISDocument"):
        services.capture_document(b"<epcis/>", organisation=member_a.organisation, actor=member_a)


def test_viewer_cannot_capture(viewer_a):
    with pytest.raises(PermissionDenied):
        _capture(viewer_a)
    assert not EpcisEvent.objects.exists()


def test_capture_for_another_organisation_is_refused(member_a, org_b):
    with pytest.raises(PermissionDenied):
        services.capture_document(
            docs.as_bytes(docs.document()), organisation=org_b, actor=member_a
        )


def test_configured_schema_is_applied(member_a, with_schema):
    # the schema refuses the legacy URN in a JSON document, and our checks say so too
    bad = docs.collection()
    bad["bizStep"] = "urn:epcglobal:cbv:bizstep:commissioning"
    with pytest.raises(CaptureRejected) as caught:
        _capture(member_a, docs.document(bad))
    assert any("JSON Schema" in p.message for p in caught.value.problems)
    assert _capture(member_a).capture.schema_checked is True


def test_unreadable_schema_is_a_clear_error(member_a, settings, tmp_path):
    settings.ORETRACE_EPCIS_SCHEMA = tmp_path / "missing.json"
    with pytest.raises(TraceabilityError, match=r"missing\.json cannot be read"):
        _capture(member_a)


def test_tampering_with_a_stored_event_is_found_by_the_audit(member_a):
    result = _capture(member_a)
    event = EpcisEvent.objects.filter(capture=result.capture).first()
    assert event is not None
    EpcisEvent.objects.filter(pk=event.pk).update(biz_step="receiving")  # behind the services
    ours = [
        p
        for p in run_audit().problems
        if p["record_type"] == "traceability.epcisevent" and p["record_id"] == str(event.pk)
    ]
    assert ours


def test_bodies_with_escapes_and_non_ascii_text_come_back_as_captured(member_a):
    # the rows go to the driver as text (COPY on PostgreSQL): tabs, newlines, backslashes,
    # quotes and non-ASCII text must survive, as must numbers
    doc = docs.document()
    event = doc["epcisBody"]["eventList"][0]
    event["ilmd"] = {
        "ot:village": 'Koderma\tJharkhand\nIndia \\ "mica" — naïve ✓',
        "ot:grade": 2.5,
        "ot:count": 12345678901,
    }
    event["eventID"] = "urn:x:back\\slash"
    result = _capture(member_a, doc)
    stored = EpcisEvent.objects.get(capture=result.capture, hash_id=result.event_ids[0])
    assert stored.body == event
    assert stored.declared_id == "urn:x:back\\slash"


def test_a_capture_of_many_events_keeps_every_row_and_link(member_a):
    doc = docs.document()
    template = doc["epcisBody"]["eventList"][0]
    events = []
    for n in range(1200):  # more rows than one statement or one COPY part holds
        event = dict(template)
        event["quantityList"] = [{"epcClass": f"{docs.RAW}-{n}", "quantity": n + 1, "uom": "KGM"}]
        events.append(event)
    doc["epcisBody"]["eventList"] = events
    result = _capture(member_a, doc)
    assert result.capture.new_count == 1200
    stored = EpcisEvent.objects.filter(capture=result.capture)
    assert sorted(stored.values_list("hash_id", flat=True)) == sorted(result.event_ids)
    identifiers = EpcisIdentifier.objects.filter(event__capture=result.capture)
    assert identifiers.count() == 1200
    assert {i.event.body["quantityList"][0]["epcClass"] for i in identifiers} == {
        i.value for i in identifiers
    }
    # the same document again stores nothing new
    again = _capture(member_a, doc)
    assert again.capture.new_count == 0
    assert again.capture.known_count == 1200


def _custody_models():
    return (EpcisEvent, Lot, LotMovement, CustodyEdge)


def _chain_with_a_shipment(member):
    chain.mica_chain(member)
    chain.capture(
        member,
        chain.ship(10, chain.MILL, chain.FLAKE, 40),
        chain.receive(11, chain.PAINT_WORKS, chain.FLAKE, 40),
    )


def test_an_organisation_with_custody_records_cannot_be_deleted(member_a):
    """The database does not check these rows' organisation (see traceability.models); Django
    refuses the deletion that would leave them without one."""
    _chain_with_a_shipment(member_a)
    organisation = member_a.organisation
    with pytest.raises(ProtectedError) as refused:
        organisation.delete()
    assert {type(o) for o in refused.value.protected_objects} >= set(_custody_models())
    for model in _custody_models():
        assert model.objects.filter(organisation=organisation).exists(), model


def test_deleting_a_user_keeps_their_custody_records_without_a_creator(member_a):
    """The database does not check these rows' creator either; deleting the user empties it."""
    _chain_with_a_shipment(member_a)
    user = member_a.user
    user_id = user.pk
    counts = {model: model.objects.filter(created_by=user).count() for model in _custody_models()}
    assert all(counts.values()), counts
    user.delete()
    for model, count in counts.items():
        assert model.objects.filter(organisation=member_a.organisation).count() >= count, model
        assert not model.objects.filter(created_by_id=user_id).exists(), model
