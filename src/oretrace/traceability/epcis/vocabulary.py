"""The CBV 2.0 vocabularies an EPCIS 2.0 JSON document may name by their bare terms.

The bare terms (``"shipping"``) stand for web-vocabulary URIs
(``https://ref.gs1.org/cbv/BizStep-shipping``); the older URN form
(``urn:epcglobal:cbv:bizstep:shipping``) names the same term. Any other absolute URI is a
user-defined value and is accepted as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CBV = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"

BIZ_STEPS = frozenset(
    [
        "accepting",
        "arriving",
        "assembling",
        "collecting",
        "commissioning",
        "consigning",
        "creating_class_instance",
        "cycle_counting",
        "decommissioning",
        "departing",
        "destroying",
        "disassembling",
        "dispensing",
        "encoding",
        "entering_exiting",
        "holding",
        "inspecting",
        "installing",
        "killing",
        "loading",
        "other",
        "packing",
        "picking",
        "receiving",
        "removing",
        "repackaging",
        "repairing",
        "replacing",
        "reserving",
        "retail_selling",
        "sampling",
        "sensor_reporting",
        "shipping",
        "staging_outbound",
        "stock_taking",
        "stocking",
        "storing",
        "transporting",
        "unloading",
        "unpacking",
        "void_shipping",
    ]
)
DISPOSITIONS = frozenset(
    [
        "active",
        "available",
        "completeness_inferred",
        "completeness_verified",
        "conformant",
        "container_closed",
        "container_open",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "mismatch_class",
        "mismatch_instance",
        "mismatch_quantity",
        "needs_replacement",
        "no_pedigree_match",
        "non_conformant",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unavailable",
        "unknown",
    ]
)
BIZ_TRANSACTION_TYPES = frozenset(
    [
        "bol",
        "cert",
        "desadv",
        "inv",
        "pedigree",
        "po",
        "poc",
        "prodorder",
        "recadv",
        "rma",
        "testprd",
        "testres",
        "upevt",
    ]
)
SOURCE_DEST_TYPES = frozenset(["owning_party", "possessing_party", "location"])
ERROR_REASONS = frozenset(["did_not_occur", "incorrect_data"])


@dataclass(frozen=True)
class Vocabulary:
    """One CBV vocabulary: its terms, its web-URI prefix and its legacy URN prefix."""

    name: str
    terms: frozenset[str]
    web_prefix: str
    urn_prefix: str


BIZ_STEP = Vocabulary("business step", BIZ_STEPS, CBV + "BizStep-", "urn:epcglobal:cbv:bizstep:")
DISPOSITION = Vocabulary("disposition", DISPOSITIONS, CBV + "Disp-", "urn:epcglobal:cbv:disp:")
BIZ_TRANSACTION_TYPE = Vocabulary(
    "business transaction type", BIZ_TRANSACTION_TYPES, CBV + "BTT-", "urn:epcglobal:cbv:btt:"
)
SOURCE_DEST_TYPE = Vocabulary(
    "source/destination type", SOURCE_DEST_TYPES, CBV + "SDT-", "urn:epcglobal:cbv:sdt:"
)
ERROR_REASON = Vocabulary("error reason", ERROR_REASONS, CBV + "ER-", "urn:epcglobal:cbv:er:")

# An absolute URI: a scheme, a colon and something after it (RFC 3986 §3.1).
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


def is_uri(value: object) -> bool:
    """True for an absolute URI without spaces (``urn:…``, ``https://…``)."""
    return isinstance(value, str) and _URI.match(value) is not None


def bare_term(value: str, vocabulary: Vocabulary) -> str | None:
    """The CBV term ``value`` names in any of its three spellings, or ``None``."""
    for prefix in ("", vocabulary.web_prefix, vocabulary.urn_prefix):
        if value.startswith(prefix) and value[len(prefix) :] in vocabulary.terms:
            return value[len(prefix) :]
    return None


def problem_with(value: object, vocabulary: Vocabulary) -> str | None:
    """Why ``value`` is not a valid entry of ``vocabulary`` (``None`` when it is)."""
    if not isinstance(value, str):
        return f"must be a {vocabulary.name} given as text, not {type(value).__name__}"
    term = bare_term(value, vocabulary)
    if term is not None and value.startswith(vocabulary.urn_prefix):
        return (
            f"{value!r}: EPCIS 2.0 JSON names CBV terms bare ({term!r}) or by web URI; "
            "the urn:epcglobal:cbv form belongs to EPCIS 1.2 XML"
        )
    if term is not None:
        return None
    lowered = value.lower()
    if lowered.startswith((vocabulary.web_prefix.lower(), vocabulary.urn_prefix)) or (
        lowered.startswith(("https://ns.gs1.org/cbv/", "http://ns.gs1.org/cbv/", "urn:epcglobal:"))
    ):
        return f"{value!r} is not a CBV {vocabulary.name}"
    if not is_uri(value):
        return (
            f"{value!r} is neither a standard CBV {vocabulary.name} nor a URI "
            "(a private value must be an absolute URI)"
        )
    return None


def canonical(value: str, vocabulary: Vocabulary) -> str:
    """The stored form: the bare CBV term when it is one, else the URI as given."""
    return bare_term(value, vocabulary) or value
