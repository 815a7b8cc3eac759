"""EPCIS API: capture and query, every route against another organisation's member."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest

from oretrace.core.tests.harness import Reach, Tenancy, tenancy_tests
from oretrace.traceability import services
from oretrace.traceability.api import router
from oretrace.traceability.epcis import schema
from oretrace.traceability.models import Lot
from oretrace.traceability.tests import chain
from oretrace.traceability.tests import documents as docs

pytestmark = pytest.mark.django_db

OWN_SCOPE = {
    "POST /epcis/capture",
    "GET /epcis/captures",
    "GET /epcis/events",
    "GET /custody/lots",
    "GET /custody/flags",
}
CROSS_ORG = {
    "GET /epcis/captures/{int:capture_id}": Reach("/api/v1/epcis/captures/{capture}"),
    "GET /custody/lots/{int:lot_id}": Reach("/api/v1/custody/lots/{lot}"),
    "GET /custody/lots/{int:lot_id}/upstream": Reach("/api/v1/custody/lots/{lot}/upstream"),
    "GET /custody/lots/{int:lot_id}/chain": Reach("/api/v1/custody/lots/{lot}/chain"),
    "GET /custody/lots/{int:lot_id}/downstream": Reach("/api/v1/custody/lots/{lot}/downstream"),
    "GET /custody/facilities/{int:facility_id}/downstream": Reach(
        "/api/v1/custody/facilities/{facility}/downstream"
    ),
}


@pytest.fixture
def objects_of_a(member_a):
    places = chain.facilities(member_a)
    result = services.capture_document(
        docs.as_bytes(docs.document()), organisation=member_a.organisation, actor=member_a
    )
    chain.mica_chain(member_a)
    return {
        "capture": result.capture.pk,
        "lot": Lot.objects.get(code=chain.PAINT).pk,
        "facility": places["asm"].pk,
    }


TENANCY = Tenancy(router, cross_org=CROSS_ORG, own_scope=OWN_SCOPE)
test_every_route_is_covered, test_other_organisation_gets_404 = tenancy_tests(TENANCY)


def test_lists_and_queries_hide_other_organisations_events(api_a, api_b, objects_of_a):
    assert api_b.get("/api/v1/epcis/captures").json()["count"] == 0
    assert api_b.get("/api/v1/custody/lots").json()["count"] == 0
    assert api_a.get("/api/v1/custody/lots").json()["count"] > 0
    theirs = api_b.get("/api/v1/epcis/events").json()
    assert theirs["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == []
    ours = api_a.get("/api/v1/epcis/events").json()
    assert len(ours["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 8
    assert (
        api_b.get(f"/api/v1/epcis/events?MATCH_anyEPC={docs.BAG}").json()["epcisBody"][
            "queryResults"
        ]["resultsBody"]["eventList"]
        == []
    )


def _post(client, doc, content_type="application/ld+json"):
    return client.post("/api/v1/epcis/capture", data=json.dumps(doc), content_type=content_type)


def test_capture_answers_201_with_hash_ids_then_is_idempotent(api_a):
    first = _post(api_a, docs.document())
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["event_count"] == 3
    assert body["new_count"] == 3
    assert body["known_count"] == 0
    assert len(body["event_ids"]) == 3
    assert all(
        i.startswith("ni:///sha-256;") and i.endswith("?ver=CBV2.0") for i in body["event_ids"]
    )
    again = _post(api_a, docs.document(), content_type="application/json").json()
    assert (again["new_count"], again["known_count"]) == (0, 3)
    assert again["event_ids"] == body["event_ids"]


def test_refused_capture_lists_every_problem(api_a):
    bad = docs.collection()
    bad["bizStep"] = "mining"
    worse = docs.shipping()
    del worse["eventTimeZoneOffset"]
    response = _post(api_a, docs.document(bad, worse))
    errors = docs.refused_capture(
        api_a,
        response,
        [(1, "ObjectEvent", "bizStep"), (2, "ObjectEvent", "eventTimeZoneOffset")],
    )
    assert "'mining'" in errors[0]["message"]


def test_capture_of_non_json_is_a_400(api_a):
    response = api_a.post(
        "/api/v1/epcis/capture", data=b"not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "not JSON" in response.json()["detail"]


def test_viewer_cannot_capture(viewer_a):
    from oretrace.core.tests.fixtures import api_client

    response = _post(api_client(viewer_a), docs.document())
    assert response.status_code == 403


def _events(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/ld+json"
    return response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


@pytest.fixture
def captured(api_a):
    assert _post(api_a, docs.document()).status_code == 201


@pytest.mark.parametrize(
    ("query", "steps"),
    [
        ("", ["commissioning", "shipping", "https://ref.gs1.org/cbv/BizStep-commissioning"]),
        ("eventType=TransformationEvent", ["https://ref.gs1.org/cbv/BizStep-commissioning"]),
        ("eventType=ObjectEvent,AggregationEvent", ["commissioning", "shipping"]),
        ("EQ_bizStep=shipping", ["shipping"]),
        ("EQ_bizStep=https://ref.gs1.org/cbv/BizStep-shipping", ["shipping"]),
        ("EQ_disposition=in_transit", ["shipping"]),
        (f"EQ_readPoint={docs.MINE}", ["commissioning"]),
        (f"EQ_bizLocation={docs.MILL}", ["https://ref.gs1.org/cbv/BizStep-commissioning"]),
        ("EQ_action=OBSERVE", ["shipping"]),
        (
            "GE_eventTime=2026-03-02T00:00:00Z",
            ["shipping", "https://ref.gs1.org/cbv/BizStep-commissioning"],
        ),
        ("LT_eventTime=2026-03-02T09:30:00%2B05:30", ["commissioning"]),
        ("LT_eventTime=2026-03-02T09:30:00+05:30", ["commissioning"]),
        (f"MATCH_epc={docs.BAG}", ["shipping"]),
        ("MATCH_epc=urn:epc:idpat:sscc:8901234.*", ["shipping"]),
        (f"MATCH_epcClass={docs.RAW}", ["commissioning", "shipping"]),
        (f"MATCH_inputEPCClass={docs.RAW}", ["https://ref.gs1.org/cbv/BizStep-commissioning"]),
        (f"MATCH_anyEPCClass={docs.FLAKE}", ["https://ref.gs1.org/cbv/BizStep-commissioning"]),
        ("GE_quantity=110", ["commissioning"]),
        ("LT_quantity=100", ["https://ref.gs1.org/cbv/BizStep-commissioning"]),
        (
            f"MATCH_anyEPCClass={docs.RAW}&EQ_quantity=100",
            ["shipping", "https://ref.gs1.org/cbv/BizStep-commissioning"],
        ),
        ("GE_recordTime=2000-01-01T00:00:00Z&LT_recordTime=2000-01-02T00:00:00Z", []),
    ],
)
def test_query_parameters(api_a, captured, query, steps):
    events = _events(api_a.get(f"/api/v1/epcis/events?{query}"))
    assert [e.get("bizStep") for e in events] == steps


def test_query_result_is_an_epcis_query_document(api_a, captured, schema_path):
    document = api_a.get("/api/v1/epcis/events").json()
    assert document["type"] == "EPCISQueryDocument"
    assert {"ot": "https://oretrace.example/voc/"} in document["@context"]
    assert schema.schema_problems(document, schema.compiled(schema_path)) == []
    event = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]
    assert event["eventID"].startswith("ni:///sha-256;")
    assert event["recordTime"].endswith("Z")


def test_paging_follows_the_link_header(api_a, captured):
    response = api_a.get("/api/v1/epcis/events?perPage=2&eventType=ObjectEvent,TransformationEvent")
    assert len(_events(response)) == 2
    link = response["Link"]
    assert link.endswith('>; rel="next"')
    next_url = link[1 : link.index(">")]
    assert parse_qs(urlparse(next_url).query)["eventType"] == ["ObjectEvent,TransformationEvent"]
    last = api_a.get(next_url)
    assert [e["type"] for e in _events(last)] == ["TransformationEvent"]
    assert not last.has_header("Link")


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("eventType=MiningEvent", "eventType"),
        ("GE_eventTime=yesterday", "GE_eventTime"),
        ("EQ_colour=red", "unknown query parameter 'EQ_colour'"),
        ("nextPageToken=forged", "nextPageToken"),
        ("perPage=100000", "perPage"),
    ],
)
def test_bad_query_parameters_are_named(api_a, query, text):
    response = api_a.get(f"/api/v1/epcis/events?{query}")
    assert response.status_code in (400, 422)
    assert text in json.dumps(response.json())


def test_lot_upstream_and_downstream_through_the_api(api_a, objects_of_a):
    paint = objects_of_a["lot"]
    up = api_a.get(f"/api/v1/custody/lots/{paint}/upstream").json()
    assert up["lot_id"] == paint
    assert {s["code"]: round(s["fraction"], 3) for s in up["shares"]} == {
        chain.RAW_ASM: 0.556,
        chain.RAW_MINE: 0.278,
        chain.SCRAP: 0.167,
    }
    assert round(up["by_type"]["artisanal"], 3) == 0.556
    assert round(up["by_country"]["MG"], 3) == 0.278
    asm = next(s for s in up["shares"] if s["code"] == chain.RAW_ASM)
    assert (asm["facility"], asm["country"], asm["origin_type"]) == (
        "Koderma village pits",
        "IN",
        "artisanal",
    )
    mine_lot = Lot.objects.get(code=chain.RAW_MINE).pk
    down = api_a.get(f"/api/v1/custody/lots/{mine_lot}/downstream").json()
    assert [s["code"] for s in down["shares"]] == [chain.PAINT]
    exposed = api_a.get(f"/api/v1/custody/facilities/{objects_of_a['facility']}/downstream").json()
    exposure = {s["code"]: round(s["fraction"], 3) for s in exposed["shares"]}
    assert exposure[chain.PAINT] == 0.556  # (the small document's lots share the location)


def test_lot_chain_through_the_api(api_a, objects_of_a):
    # when
    answer = api_a.get(f"/api/v1/custody/lots/{objects_of_a['lot']}/chain").json()
    # then every lot of the chain is there with the share of the paint that passed through it
    nodes = {n["code"]: n for n in answer["nodes"]}
    assert set(nodes) == {chain.PAINT, chain.FLAKE, chain.RAW_ASM, chain.RAW_MINE, chain.SCRAP}
    assert nodes[chain.PAINT]["kind"] == "lot"
    assert nodes[chain.PAINT]["layer"] == 0
    assert nodes[chain.FLAKE]["kind"] == "intermediate"
    assert nodes[chain.RAW_ASM]["kind"] == "artisanal"
    assert nodes[chain.RAW_ASM]["facility"] == "Koderma village pits"
    assert nodes[chain.RAW_ASM]["fraction"] == pytest.approx(100 / 180)
    assert nodes[chain.RAW_ASM]["layer"] == 2
    assert answer["truncated"] is False
    ids = {n["lot_id"]: code for code, n in nodes.items()}
    edges = {(ids[e["source"]], ids[e["target"]]): e for e in answer["edges"]}
    assert len(edges) == 4
    assert edges[(chain.RAW_MINE, chain.FLAKE)]["share"] == pytest.approx(50 / 180)
    assert edges[(chain.RAW_MINE, chain.FLAKE)]["fraction"] == pytest.approx(50 / 180)
    assert edges[(chain.FLAKE, chain.PAINT)]["fraction"] == pytest.approx(1.0)
    assert answer["cycle_edges"] == []


def test_flags_are_exposed_on_lots_and_in_the_list(api_a, member_a, api_b):
    chain.facilities(member_a)
    chain.capture(
        member_a,
        chain.collect(1, chain.ASM, chain.RAW_ASM, 100),
        chain.transform(2, chain.MILL, [(chain.RAW_ASM, 100)], [(chain.FLAKE, 130)], "milling"),
    )
    flags = api_a.get("/api/v1/custody/flags").json()
    assert [f["kind"] for f in flags["items"]] == ["over_yield"]
    assert flags["items"][0]["lot"] == chain.FLAKE
    flagged = api_a.get("/api/v1/custody/lots?flagged=true").json()["items"]
    assert [(lot["code"], lot["flags"]) for lot in flagged] == [(chain.FLAKE, 1)]
    detail = api_a.get(f"/api/v1/custody/lots/{flagged[0]['id']}").json()
    assert detail["flag_list"][0]["actual_kg"] == "130.000000"
    mill = flags["items"][0]["facility_id"]
    assert api_a.get(f"/api/v1/custody/flags?facility_id={mill}").json()["count"] == 1
    assert api_b.get("/api/v1/custody/flags").json()["count"] == 0


def test_oversized_capture_is_a_413_naming_the_limit(api_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = _post(api_a, docs.document())
    assert response.status_code == 413
    assert "larger than 1,000 bytes" in response.json()["detail"]
