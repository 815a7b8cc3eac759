"""Every EPC URI scheme ``gs1_keys`` rewrites, against the CBV reference normaliser.

``test_epcis_hashing`` compares the common schemes; this file draws URIs of every scheme and
pattern the rules know (the GRAI, GDTI, SGCN, CPI, ITIP, UPUI, GINC, GSIN, GSRN and their
patterns too), with every company prefix length, valid or a little off, so each link builder
is held to the reference implementation.
"""

from __future__ import annotations

import pytest
from epcis_event_hash_generator import dl_normaliser
from hypothesis import given, settings
from hypothesis import strategies as st

from oretrace.traceability.epcis import gs1_keys
from oretrace.traceability.epcis.gs1_keys import canonical_link

_SERIAL = st.text("ABCabc0123456789-_.!()*+,:;='%2F", min_size=1, max_size=22)
_DIGITS = st.text("0123456789", min_size=1, max_size=13)
_PIECE = st.one_of(*[st.text("0123456789", min_size=2, max_size=2)] * 3, _DIGITS)
_EXTENSION = st.one_of(_SERIAL, st.just("0"))  # an SGLN's 0: no extension
_CPI_REFERENCE = st.text("ABC0123456789-#/", min_size=1, max_size=24)

# Each scheme: the digits of company prefix and reference together (None: the company prefix
# is followed by a free reference), and what follows them.
_SHAPES: dict[str, tuple[int | None, str]] = {
    **dict.fromkeys(["id:sgtin", "id:upui", "class:lgtin"], (13, "serial")),
    **dict.fromkeys(["id:sgln", "id:grai", "id:gdti"], (12, "serial")),
    **dict.fromkeys(["id:sscc", "id:gsrn", "id:gsrnp"], (17, "")),
    "id:gsin": (16, ""),
    "id:pgln": (12, ""),
    **dict.fromkeys(["id:giai", "id:ginc"], (None, "")),
    "id:cpi": (None, "digits"),
    "id:sgcn": (12, "digits"),
    "id:itip": (13, "piece"),
    **dict.fromkeys(["idpat:sgtin", "idpat:upui"], (13, "*")),
    **dict.fromkeys(["idpat:grai", "idpat:gdti", "idpat:sgcn"], (12, "*")),
    "idpat:cpi": (None, "*"),
    "idpat:itip": (13, "piece*"),
}


def test_the_shapes_cover_every_rule() -> None:
    assert set(_SHAPES) == set(gs1_keys._EPC_RULES)


@st.composite
def epc_uris(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(sorted(_SHAPES)))
    total, follows = _SHAPES[scheme]
    prefix = draw(st.integers(6, 12))
    company = draw(st.text("0123456789", min_size=prefix, max_size=prefix))
    if total is None:
        reference = draw(_CPI_REFERENCE if scheme.endswith(":cpi") else _SERIAL)
    else:
        size = max(0, total - prefix + draw(st.sampled_from([0, 0, 0, 0, 1, -1])))
        reference = draw(st.text("0123456789", min_size=size, max_size=size))
    tail = {
        "": "",
        "serial": "." + draw(_EXTENSION),
        "digits": "." + draw(_DIGITS),
        "*": ".*",
        "piece": f".{draw(_PIECE)}.{draw(_PIECE)}.{draw(_SERIAL)}",
        "piece*": f".{draw(_PIECE)}.{draw(_PIECE)}.*",
    }[follows]
    dot = draw(st.sampled_from([".", ".", ".", ".."]))  # a 12-digit prefix may need two
    return f"urn:epc:{scheme}:{company}{dot}{reference}{tail}"


@settings(max_examples=1500, deadline=None)
@given(epc_uris())
def test_every_scheme_agrees_with_the_reference_normaliser(uri: str) -> None:
    assert canonical_link(uri) == dl_normaliser.normaliser(uri)


@pytest.mark.parametrize(
    ("uri", "link"),
    [
        ("urn:epc:id:grai:401234567890...A1", "https://id.gs1.org/8003/04012345678901.A1"),
        ("urn:epc:id:gdti:4012345.00001.A*1", "https://id.gs1.org/253/4012345000016A%2A1"),
        ("urn:epc:id:sgcn:401234567890..123", "https://id.gs1.org/255/4012345678901123"),
        ("urn:epc:id:cpi:4012345.AB-1.123", "https://id.gs1.org/8010/4012345AB-1/8011/123"),
        ("urn:epc:id:ginc:4012345.X+1", "https://id.gs1.org/401/4012345X%2B1"),
        ("urn:epc:id:gsin:4012345.000000001", "https://id.gs1.org/402/40123450000000016"),
        (
            "urn:epc:id:itip:4012345.011111.01.02.S,1",
            "https://id.gs1.org/8006/040123451111180102/21/S%2C1",
        ),
        ("urn:epc:id:upui:4012345.011111.T:P", "https://id.gs1.org/01/04012345111118/235/T%3AP"),
        ("urn:epc:id:pgln:4012345.00001", "https://id.gs1.org/417/4012345000016"),
        ("urn:epc:idpat:grai:401234567890...*", "https://id.gs1.org/8003/04012345678901"),
        ("urn:epc:idpat:cpi:4012345.AB-1.*", "https://id.gs1.org/8010/4012345AB-1"),
        ("urn:epc:idpat:itip:4012345.011111.01.02.*", "https://id.gs1.org/8006/040123451111180102"),
        ("urn:epc:idpat:upui:4012345.011111.*", "https://id.gs1.org/01/04012345111118"),
    ],
)
def test_links_of_the_rarer_schemes(uri: str, link: str) -> None:
    assert canonical_link(uri) == link
