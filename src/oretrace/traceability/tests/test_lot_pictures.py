"""The lot page's chain picture and origins map, and the upstream graph query behind them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from oretrace.registry import services as registry
from oretrace.traceability import queries, trace
from oretrace.traceability.models import CustodyEdge, Lot
from oretrace.traceability.tests import chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def mica(member_a):
    chain.facilities(member_a, located=True)
    chain.mica_chain(member_a)
    return {code: Lot.objects.get(code=code) for code in (chain.PAINT, chain.FLAKE, chain.RAW_ASM)}


def test_upstream_graph_holds_every_lot_and_edge_of_the_chain(mica):
    # when
    graph = trace.upstream_graph(mica[chain.PAINT])
    # then
    codes = {n.code for n in graph.nodes.values()}
    assert codes == {chain.PAINT, chain.FLAKE, chain.RAW_ASM, chain.RAW_MINE, chain.SCRAP}
    by_code = {n.code: lot_id for lot_id, n in graph.nodes.items()}
    edges = {(e.source, e.target): e.share for e in graph.edges}
    assert edges == pytest.approx(
        {
            (by_code[chain.FLAKE], by_code[chain.PAINT]): 1.0,
            (by_code[chain.RAW_ASM], by_code[chain.FLAKE]): 100 / 180,
            (by_code[chain.RAW_MINE], by_code[chain.FLAKE]): 50 / 180,
            (by_code[chain.SCRAP], by_code[chain.FLAKE]): 30 / 180,
        }
    )
    assert not graph.truncated
    asm = graph.nodes[by_code[chain.RAW_ASM]]
    assert asm.facility == "Koderma village pits"
    assert asm.country == "IN"
    assert graph.nodes[by_code[chain.SCRAP]].recycled


def test_upstream_graph_of_an_origin_is_the_origin_alone(mica):
    graph = trace.upstream_graph(mica[chain.RAW_ASM])
    assert list(graph.nodes) == [mica[chain.RAW_ASM].pk]
    assert graph.edges == []


def test_upstream_graph_keeps_the_nearest_lots_past_its_limit(mica):
    graph = trace.upstream_graph(mica[chain.PAINT], limit=2)
    assert graph.truncated
    assert set(graph.nodes) == {mica[chain.PAINT].pk, mica[chain.FLAKE].pk}
    assert [(e.source, e.target) for e in graph.edges] == [
        (mica[chain.FLAKE].pk, mica[chain.PAINT].pk)
    ]
    with pytest.raises(ValueError, match="at least 1"):
        trace.upstream_graph(mica[chain.PAINT], limit=0)


def test_upstream_graph_ends_on_a_cycle_in_bad_data(mica):
    # given an edge from the paint back into the flake (events never make one; bad data might)
    paint, flake = mica[chain.PAINT], mica[chain.FLAKE]
    CustodyEdge.objects.create(
        organisation=paint.organisation,
        source=paint,
        target=flake,
        kind="transformation",
        share=0.1,
        event=paint.produced_by,
    )
    # when / then: the walk ends, and the picture leaves the cycle's edge out
    graph = trace.upstream_graph(paint)
    assert len(graph.nodes) == 5
    figure = queries.chain_figure(paint)
    assert figure.picture.dropped_edges == [(paint.pk, flake.pk)]


def test_chain_figure_colours_origins_by_type_and_marks_flags(member_a, mica):
    chain.capture(
        member_a,
        chain.transform(20, chain.MILL, [(chain.FLAKE, 10)], [("urn:x:lot:over", 50)], "sorting"),
    )
    over = Lot.objects.get(code="urn:x:lot:over")
    figure = queries.chain_figure(over)
    kinds = {n["code"]: n["kind"] for n in figure.nodes}
    assert kinds == {
        "urn:x:lot:over": queries.LOT,
        chain.FLAKE: queries.INTERMEDIATE,
        chain.RAW_ASM: trace.ARTISANAL,
        chain.RAW_MINE: trace.INDUSTRIAL,
        chain.SCRAP: trace.RECYCLED,
    }
    flagged = {n["code"] for n in figure.nodes if n["flagged"]}
    assert flagged == {"urn:x:lot:over"}
    assert figure.flagged
    assert figure.kinds[:2] == [queries.LOT, queries.INTERMEDIATE]


def test_lot_page_draws_the_chain_and_the_map(web_a, mica):
    # when
    page = web_a.get(reverse("traceability:lot", args=[mica[chain.PAINT].pk])).content.decode()
    page = page.split("<main", 1)[1]  # the top bar has its own picture (the bell)
    # then both pictures are there, with titles for screen readers
    assert page.count("<svg") == 2
    assert 'aria-labelledby="chain-title chain-desc"' in page
    assert 'aria-labelledby="map-title map-desc"' in page
    chain_svg = page[page.index("<svg") : page.index("</svg>")]
    assert "Koderma village pits" in chain_svg
    assert "Giridih mill" in chain_svg
    assert ">ASM-1<" in chain_svg
    assert ">PAINT-1<" in chain_svg
    assert 'class="band kind-artisanal"' in chain_svg
    map_svg = page[page.index("<svg", page.index("</svg>")) :]
    map_svg = map_svg[: map_svg.index("</svg>")]
    assert ">Koderma village pits</text>" in map_svg
    assert ">Kasai mica mine</text>" in map_svg
    assert map_svg.count('class="marker kind-') == 2
    assert "<path d=" in map_svg  # land
    # the recycled scrap's facility (the mill) has no coordinates: listed under the map
    assert "Not on the map" in page
    # SVG coordinates are never localised ("1,5")
    assert not re.search(r'(?:x|y|r|width|height)="\d+,\d', page)


def test_lot_page_coordinates_stay_dotted_in_another_language(web_a, mica):
    # given French, whose decimal separator is a comma
    web_a.cookies["django_language"] = "fr"
    page = web_a.get(
        reverse("traceability:lot", args=[mica[chain.PAINT].pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert 'lang="fr"' in page
    assert not re.search(r'(?:x|y|r|width|height)="\d+,\d', page)
    assert re.search(r'<rect class="node[^"]*" x="\d+(?:\.\d)?" y="\d+(?:\.\d)?"', page)


def test_lot_page_escapes_hostile_facility_names(web_a, member_a):
    # given origin facilities named like markup, one with coordinates
    hostile = '<script>alert("x")</script>'
    site = registry.create_facility(
        actor=member_a,
        kind="asm_site",
        name=hostile,
        country="IN",
        latitude=24.0,
        longitude=85.0,
        coordinate_precision="site",
    )
    registry.add_identifier(site, scheme="other", value=chain.MINE, actor=member_a)
    mill = registry.create_facility(
        actor=member_a, kind="processing_unit", name="</text><b>mill", country="IN"
    )
    registry.add_identifier(mill, scheme="gln", value="8901234000038", actor=member_a)
    chain.capture(
        member_a,
        chain.collect(1, chain.MINE, chain.RAW_MINE, 10),
        chain.transform(2, chain.MILL, [(chain.RAW_MINE, 10)], [(chain.FLAKE, 9)], "milling"),
    )
    flake = Lot.objects.get(code=chain.FLAKE)
    # when
    page = web_a.get(reverse("traceability:lot", args=[flake.pk])).content.decode()
    # then
    assert "<script>alert" not in page
    assert "</text><b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;/text&gt;&lt;b&gt;mill" in page


def test_lot_page_with_pictures_is_404_to_another_organisation(web_b, mica):
    assert web_b.get(reverse("traceability:lot", args=[mica[chain.PAINT].pk])).status_code == 404


def test_lot_page_without_coordinates_draws_the_chain_and_says_why_there_is_no_map(web_a, member_a):
    # given the chain's facilities without coordinates
    chain.facilities(member_a)
    chain.mica_chain(member_a)
    paint = Lot.objects.get(code=chain.PAINT)
    # when
    page = web_a.get(reverse("traceability:lot", args=[paint.pk])).content.decode()
    # then
    assert page.split("<main", 1)[1].count("<svg") == 1
    assert "No origin facility has coordinates" in page
    assert queries.origins_figure(trace.upstream(paint)).picture is None
