"""The pure EPCIS path on GS1's and openEPCIS's own documents: accept, refuse, hash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oretrace.traceability.epcis import checks, schema
from oretrace.traceability.epcis.document import DocumentError, load_json, read_document
from oretrace.traceability.epcis.hashing import event_hashes
from oretrace.traceability.epcis.problems import path_text
from oretrace.traceability.tests import documents as docs
from oretrace.traceability.tests.hash_reference import end_to_end

SHARED_EPCIS = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "epcis"
OPENEPCIS_JSON = "openepcis_openepcis-test-resources/core/src/main/resources/2.0/EPCIS/JSON/Capture"


def _files(pattern: str) -> list[str]:
    return sorted(str(p.relative_to(SHARED_EPCIS)) for p in SHARED_EPCIS.glob(pattern))


def _is_document(name: str) -> bool:
    return bool(json.loads((SHARED_EPCIS / name).read_text())["type"] == "EPCISDocument")


VALID = [f for f in _files("gs1_EPCIS/JSON/**/*.json*") if _is_document(f)] + _files(
    f"{OPENEPCIS_JSON}/Documents/*.json"
)
INVALID = _files(f"{OPENEPCIS_JSON}/Invalid/*.json")


def _load(epcis_data: Path, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((epcis_data / name).read_text(encoding="utf-8"))
    return document


def test_the_shared_examples_are_found(epcis_data):
    assert len(VALID) >= 50
    assert len(INVALID) == 15


@pytest.mark.parametrize("name", VALID)
def test_valid_examples_are_accepted_with_and_without_the_schema(name, epcis_data, schema_path):
    document = _load(epcis_data, name)
    with_schema = read_document(document, schema=schema.compiled(schema_path))
    without = read_document(document)
    assert with_schema.problems == [], [str(p) for p in with_schema.problems]
    assert without.problems == []
    assert len(with_schema.events) == len(document["epcisBody"]["eventList"])
    assert all(e.hash_id.startswith("ni:///sha-256;") for e in with_schema.events)


@pytest.mark.parametrize("name", INVALID)
def test_invalid_examples_are_refused_by_our_checks_alone(name, epcis_data):
    # given: no schema configured (our semantic checks are always on)
    document = _load(epcis_data, name)
    # when
    result = read_document(document)
    # then: refused, nothing returned as an event, each problem names where
    assert result.problems, name
    assert result.events == []
    for problem in result.problems:
        assert problem.field or problem.event is None
        assert problem.message


@pytest.mark.parametrize("name", INVALID)
def test_invalid_examples_are_refused_with_the_schema(name, epcis_data, schema_path):
    result = read_document(_load(epcis_data, name), schema=schema.compiled(schema_path))
    assert result.problems
    assert not result.events


EXPECTED = {
    "ObjectEvent_with_non_standard_bizStep.json": (1, "bizStep", "'transforming'"),
    "ObjectEvent_with_non_standard_bizStep_in_second_event.json": (2, "bizStep", "transforming"),
    "ObjectEvent_with_non_standard_disposition.json": (1, "disposition", "in_transport"),
    "ObjectEvent_with_ilmd_field_without_namespace.json": (1, "ilmd.materialType", "namespaced"),
    "ObjectEvent_with_quantity_as_text.json": (1, "quantityList[0].quantity", "not a number"),
    "ObjectEvent_with_invalid_action.json": (1, "action", "'CREATE'"),
    "ObjectEvent_with_invalid_eventTime_format.json": (1, "eventTime", "22-07-2026"),
    "ObjectEvent_with_unknown_field_in_quantityList.json": (1, "quantityList[0].weight", "not a"),
    "ObjectEvent_without_identifier_list.json": (1, "epcList", "needs an epcList"),
    "EPCISDocument_without_context.json": (None, "@context", "required"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_semantic_errors_name_the_event_and_the_field(name, epcis_data):
    event, field, text = EXPECTED[name]
    problems = read_document(_load(epcis_data, f"{OPENEPCIS_JSON}/Invalid/{name}")).problems
    assert any(p.event == event and p.field == field and text in p.message for p in problems), [
        str(p) for p in problems
    ]


def test_schema_errors_are_placed_on_the_event(epcis_data, schema_path):
    name = f"{OPENEPCIS_JSON}/Invalid/ObjectEvent_with_non_standard_bizStep_in_second_event.json"
    problems = schema.schema_problems(_load(epcis_data, name), schema.compiled(schema_path))
    assert [(p.event, p.field, p.event_type) for p in problems] == [(2, "bizStep", "ObjectEvent")]
    assert "event 2 (ObjectEvent), bizStep" in str(problems[0])


def _reference_hashes(path: Path) -> list[str] | None:
    """The package's own end-to-end output (JSON-LD expansion included), or None if it fails."""
    return end_to_end(path)


GS1_EXAMPLES = [f for f in VALID if f.startswith("gs1_EPCIS/")]


@pytest.mark.parametrize("name", GS1_EXAMPLES)
def test_hash_ids_equal_the_reference_implementation(name, epcis_data):
    expected = _reference_hashes(epcis_data / name)
    if expected is None:
        pytest.skip("the reference implementation cannot hash this document")
    document = _load(epcis_data, name)
    assert event_hashes(document["epcisBody"]["eventList"], document["@context"]) == expected


def test_the_reference_comparison_covers_most_gs1_examples(epcis_data):
    compared = [n for n in GS1_EXAMPLES if _reference_hashes(epcis_data / n) is not None]
    assert len(compared) >= 44  # 2 of 46 make the reference itself fail


def test_hash_ignores_representation_but_not_content():
    # the same event with the bare CBV term, the web URI and the legacy URN, in another order
    bare = docs.collection()
    web = dict(reversed(list(docs.collection().items())))
    web["bizStep"] = "https://ref.gs1.org/cbv/BizStep-commissioning"
    urn = docs.collection()
    urn["bizStep"] = "urn:epcglobal:cbv:bizstep:commissioning"
    urn["eventID"] = "urn:uuid:6f1b0bb4-2b16-4d63-a3c1-2c1c6b9a53f0"  # not part of the hash
    hashes = event_hashes([bare, web, urn], docs.CONTEXT)
    assert len(set(hashes)) == 1
    assert event_hashes([docs.collection(kg=121)], docs.CONTEXT) != hashes[:1]


def test_untyped_business_transaction_hashes_deterministically():
    # the reference package fails on a bizTransaction without its optional type
    event = docs.shipping()
    event["bizTransactionList"] = [{"bizTransaction": "urn:epcglobal:cbv:bt:x:1"}]
    other = docs.shipping()
    other["bizTransactionList"] = [{"bizTransaction": "urn:epcglobal:cbv:bt:x:2"}]
    first = event_hashes([event], docs.CONTEXT)
    assert first == event_hashes(
        [
            docs.shipping()
            | {"bizTransactionList": [{"bizTransaction": "urn:epcglobal:cbv:bt:x:1"}]}
        ],
        docs.CONTEXT,
    )
    assert first != event_hashes([other], docs.CONTEXT)
    assert first != event_hashes([docs.shipping()], docs.CONTEXT)


def test_our_documents_follow_the_schema(schema_path):
    result = read_document(docs.document(), schema=schema.compiled(schema_path))
    assert result.ok, [str(p) for p in result.problems]


@pytest.mark.parametrize(
    ("change", "event", "field"),
    [
        (lambda e: e.pop("eventTimeZoneOffset"), 1, "eventTimeZoneOffset"),
        (lambda e: e.update(eventTimeZoneOffset="+5:30"), 1, "eventTimeZoneOffset"),
        (lambda e: e.update(eventTime="2026-03-01T08:00:00"), 1, "eventTime"),
        (lambda e: e.update(bizStep="urn:epcglobal:cbv:bizstep:mining"), 1, "bizStep"),
        (lambda e: e.update(readPoint={"id": "depot 4"}), 1, "readPoint.id"),
        (lambda e: e.update(weight=3), 1, "weight"),
        (lambda e: e["quantityList"][0].update(quantity=-1), 1, "quantityList[0].quantity"),
        (lambda e: e["quantityList"][0].update(uom="kilo"), 1, "quantityList[0].uom"),
        (lambda e: e.update(type="MiningEvent"), 1, "type"),
        (lambda e: e.update(disposition="urn:epcglobal:cbv:disp:active"), 1, "disposition"),
    ],
)
def test_semantic_checks_on_our_own_events(change, event, field):
    bad = docs.collection()
    change(bad)
    problems = checks.document_problems(docs.document(bad))
    assert [(p.event, p.field) for p in problems] == [(event, field)], [str(p) for p in problems]


def test_document_level_problems():
    doc = docs.document()
    doc["schemaVersion"] = "1.2"
    doc["creationDate"] = "yesterday"
    fields = {p.field for p in checks.document_problems(doc)}
    assert fields == {"schemaVersion", "creationDate"}
    assert checks.document_problems({**doc, "epcisBody": {"eventList": []}})
    assert checks.document_problems([1, 2])[0].event is None


def test_not_json_names_line_and_column():
    with pytest.raises(DocumentError, match="line 2, column"):
        load_json(b'{"type":\n  oops}')


def _name_mutations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Copies of the document with a key the schema's propertyNames must judge."""
    found = []
    for key in ("madeUpField", "ex:field", "https://example.org/voc/field", "eventtime", ""):
        event_copy = json.loads(json.dumps(document))
        event_copy["epcisBody"]["eventList"][0][key] = "x"
        found.append(event_copy)
        header_copy = json.loads(json.dumps(document))
        header_copy[key or "sender2"] = "x"
        found.append(header_copy)
    return found


def _type_mutations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Copies of the document whose first event has another type, an odd one, or none."""
    found: list[dict[str, Any]] = []
    events = document.get("epcisBody", {}).get("eventList") or []
    if not events or not isinstance(events[0], dict):
        return found
    for kind in (
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
        "https://example.org/voc/SurveyEvent",
        "not a uri",
        5,
        None,
    ):
        changed = json.loads(json.dumps(document))
        if kind is None:
            changed["epcisBody"]["eventList"][0].pop("type", None)
        else:
            changed["epcisBody"]["eventList"][0]["type"] = kind
        found.append(changed)
    listed = json.loads(json.dumps(document))
    listed["epcisBody"]["eventList"][0] = [listed["epcisBody"]["eventList"][0]]
    found.append(listed)
    return found


def _reference_verdict(validate, document) -> tuple[str, str]:
    """fastjsonschema's verdict: valid, or refused at the path of its first violation."""
    import fastjsonschema

    try:
        validate(document)
    except fastjsonschema.JsonSchemaValueException as exc:
        parts = [int(p) if str(p).isdigit() else p for p in (exc.path or []) if p != "data"]
        return "refused", path_text(parts)
    return "valid", ""


def _place(problem) -> str:
    """Where a problem is, as a path from the document."""
    if problem.event is None:
        return str(problem.field)
    event = f"epcisBody.eventList[{problem.event - 1}]"
    return f"{event}.{problem.field}" if problem.field else event


def _inside(place: str, outer: str) -> bool:
    return place == outer or place.startswith((outer + ".", outer + "["))


def test_the_schema_gives_the_verdicts_of_another_validator(epcis_data, schema_path):
    """jsonschema-rs, which oretrace uses, against fastjsonschema (tests only) on the same
    schema as GS1 wrote it: on every shared document and on copies with unusual keys and with
    other event types, the same verdict, and the place fastjsonschema names first is among
    the places oretrace reports (or inside one of them)."""
    import fastjsonschema

    reference = fastjsonschema.compile(json.loads(schema_path.read_text(encoding="utf-8")))
    ours = schema.compiled(schema_path)
    verdicts = []
    for name in VALID + INVALID:
        document = _load(epcis_data, name)
        for candidate in [document, *_name_mutations(document), *_type_mutations(document)]:
            verdict, place = _reference_verdict(reference, candidate)
            problems = schema.schema_problems(candidate, ours)
            assert (verdict == "valid") == (problems == []), name
            if problems:
                places = [_place(p) for p in problems]
                assert any(_inside(place, outer) for outer in places), (name, place, places)
            verdicts.append(verdict)
    assert len(verdicts) > 900
    assert verdicts.count("valid") > 50  # both outcomes are compared
    assert len(verdicts) - verdicts.count("valid") > 500


def test_every_schema_violation_is_reported_on_its_event(epcis_data, schema_path):
    name = f"{OPENEPCIS_JSON}/Invalid/Combination_of_multiple_invalid_fields.json"
    problems = schema.schema_problems(_load(epcis_data, name), schema.compiled(schema_path))
    placed = {(p.event, p.field) for p in problems}
    assert {(1, "bizStep"), (2, "disposition"), (3, "sourceList[0].type")} <= placed
    assert all(
        p.message.startswith("does not follow the EPCIS 2.0 JSON Schema: ") for p in problems
    )


def test_a_document_broken_everywhere_names_a_bounded_number_of_problems(schema_path):
    document = docs.document()
    event = document["epcisBody"]["eventList"][0]
    document["epcisBody"]["eventList"] = [{**event, "action": "CREATE"} for _ in range(300)]
    problems = schema.schema_problems(document, schema.compiled(schema_path))
    assert len(problems) == schema.MAX_PROBLEMS
    assert problems[0].event == 1
    assert problems[0].field == "action"
    assert "'CREATE'" in problems[0].message or '"CREATE"' in problems[0].message


def test_a_long_value_is_named_not_repeated_in_the_message(epcis_data, schema_path):
    name = f"{OPENEPCIS_JSON}/Invalid/ObjectEvent_without_identifier_list.json"
    problems = schema.schema_problems(_load(epcis_data, name), schema.compiled(schema_path))
    whole = [p for p in problems if p.event == 1 and p.field == ""]
    assert whole
    assert whole[0].message.startswith(
        "does not follow the EPCIS 2.0 JSON Schema: the object is not valid under any of"
    )


def test_a_schema_that_refers_outside_itself_is_refused_without_fetching(tmp_path):
    remote = tmp_path / "remote.json"
    remote.write_text(json.dumps({"$ref": "https://example.org/epcis.json"}))
    with pytest.raises(schema.SchemaUnavailable, match=r"refers to https://example.org/epcis.json"):
        schema.compiled(remote)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"type": 5}))
    with pytest.raises(schema.SchemaUnavailable, match=r"broken.json is not usable"):
        schema.compiled(broken)
