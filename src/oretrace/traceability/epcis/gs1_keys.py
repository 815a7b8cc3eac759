"""GS1 keys in EPC URIs and GS1 Digital Link URIs, rewritten to one canonical Digital Link.

The CBV 2.0 event hash compares identifiers by meaning, not by spelling: the same trade item
written as ``urn:epc:id:sgtin:4012345.011111.987`` and as
``https://example.com/gtin/04012345111118/ser/987?x=1`` hashes alike, because both become
``https://id.gs1.org/01/04012345111118/21/987``. ``canonical_link`` does that rewrite for the
EPC URI schemes of the GS1 Tag Data Standard (instance, class and pattern URIs) and for Digital
Link URIs (short names to AIs, the id.gs1.org domain, GTINs padded to 14 digits, the CPV and a
lot beside a serial dropped, query string dropped). Anything else gives None and is hashed as
written.

The accepted grammar follows the one the CBV working group's reference implementation
(``epcis-event-hash-generator``) accepts, including its limits, because hash IDs must agree
with other EPCIS repositories; the differential tests hold us to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# One character of a GS1 AI-encodable string in an EPC URI: the plain URI-safe characters, or
# a %-escape of one of the characters that must be escaped.
_X = (
    r"(?:%2[125-9A-Fa-f]|%3[0-9A-Fa-f]|%4[1-9A-Fa-f]|%5[0-9AaFf]|%6[1-9A-Fa-f]|%7[0-9Aa]"
    r"|[!')(*+,.0-9:;=A-Za-z_-])"
)
# One character of a component/part reference (CPI).
_CP = r"(?:%2[3dfDF]|%3[0-9]|%4[1-9A-Fa-f]|%5[0-9Aa]|[0-9A-Z-])"
# Characters Digital Link allows in an alphanumeric key qualifier.
_DL = r"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]"

# The characters Digital Link needs %-escaped that an EPC URI may carry as they are.
_DL_ESCAPES = str.maketrans(
    {"!": "%21", "(": "%28", ")": "%29", "*": "%2A", "+": "%2B", ",": "%2C", ":": "%3A"}
)


def check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit of a key's digits (weights 3, 1, 3, … from the right)."""
    odd = sum(map(int, digits[::-2]))  # the rightmost digit and every second one before it
    even = sum(map(int, digits[-2::-2]))
    return str(-(3 * odd + even) % 10)


def _escape(text: str) -> str:
    return text.translate(_DL_ESCAPES)


def _split(digits_total: int, twelve_tail: str = r"\.") -> str:
    """A company prefix (6 to 12 digits), a dot and a reference, ``digits_total`` digits in all.

    ``twelve_tail`` is what follows a 12-digit company prefix when the reference is empty.
    """
    options = []
    for prefix in range(6, 13):
        rest = digits_total - prefix
        if rest > 0:
            options.append(rf"\d{{{prefix}}}\.\d{{{rest}}}")
        elif rest == 0:
            options.append(rf"\d{{{prefix}}}{twelve_tail}")
    return "(?:" + "|".join(options) + ")"


def _variable(limit: int, char: str = _X) -> str:
    """A company prefix, a dot, and 1 to (``limit`` - prefix length) characters of ``char``."""
    return "(?:" + "|".join(rf"\d{{{p}}}\.{char}{{1,{limit - p}}}" for p in range(6, 13)) + ")"


def _gtin(company: str, reference: str) -> str:
    """GTIN-14 from an EPC's company prefix and item reference (indicator digit first)."""
    body = reference[:1] + company + reference[1:]
    return body + check_digit(body)


def _with_check(body: str) -> str:
    return body + check_digit(body)


# Builds a canonical link from (company prefix, rest after it, whole body) of an EPC URI.
Build = Callable[[str, str, str], str]
Rule = tuple["re.Pattern[str]", Build]


def _rule(pattern: str, build: Build) -> Rule:
    return re.compile(pattern + "$"), build


def _parts(body: str) -> tuple[str, str]:
    """The company prefix and the rest of an EPC URI body (split at the first dot)."""
    company, _dot, rest = body.partition(".")
    return company, rest


# Each scheme: the grammar of the part after ``urn:epc:<kind>:<scheme>:`` and how the canonical
# link is built. A pattern URI (``idpat``) ends in ``*`` where the instance URI has its serial:
# its link is the key alone.
_GS1 = "https://id.gs1.org"


def _item(ai: str | None) -> Build:
    """A GTIN (SGTIN, UPUI, LGTIN), then ``ai`` with the serial, TPX or lot (None: GTIN alone)."""

    def build(c: str, rest: str, _b: str) -> str:
        link = f"{_GS1}/01/{_gtin(c, rest[: 13 - len(c)])}"
        return link if ai is None else f"{link}/{ai}/{_escape(rest[14 - len(c) :])}"

    return build


def _thirteen(ai: str, lead: str = "", *, serial: bool = True) -> Build:
    """A 13-digit key (``lead`` before it: GRAI's 0), then the serial as the body spells it."""

    def build(c: str, rest: str, body: str) -> str:
        key = _with_check(lead + c + rest[: 12 - len(c)])
        return f"{_GS1}/{ai}/{key}" + (_escape(body[14:]) if serial else "")

    return build


def _checked(ai: str) -> Build:
    """Company prefix and reference with their check digit (GSRN, GSRN-P, GSIN, party GLN)."""
    return lambda c, rest, _b: f"{_GS1}/{ai}/{_with_check(c + rest)}"


def _free(ai: str) -> Build:
    """Company prefix and a free reference, escaped (GIAI, GINC)."""
    return lambda c, rest, _b: f"{_GS1}/{ai}/{c}{_escape(rest)}"


def _sscc(c: str, rest: str, _b: str) -> str:
    return f"{_GS1}/00/{_with_check(rest[:1] + c + rest[1:])}"


def _sgln(c: str, rest: str, _b: str) -> str:
    gln = _with_check(c + rest[: 12 - len(c)])
    extension = rest[13 - len(c) :]
    if extension == "0":
        return f"{_GS1}/414/{gln}"
    return f"{_GS1}/414/{gln}/254/{_escape(extension)}"


def _cpi(*, serial: bool) -> Build:
    def build(c: str, rest: str, _b: str) -> str:
        reference, _dot, number = rest.rpartition(".")
        link = f"{_GS1}/8010/{_escape(c + reference)}"
        return f"{link}/8011/{number}" if serial else link

    return build


def _itip(*, serial: bool) -> Build:
    def build(c: str, rest: str, _b: str) -> str:
        piece_total_serial = rest[14 - len(c) :]
        piece, total = piece_total_serial[:2], piece_total_serial[3:5]
        link = f"{_GS1}/8006/{_gtin(c, rest[: 13 - len(c)])}{piece}{total}"
        return f"{link}/21/{_escape(piece_total_serial[6:])}" if serial else link

    return build


_EPC_RULES: dict[str, Rule] = {
    "id:sgtin": _rule(_split(13) + rf"\.{_X}{{1,20}}", _item("21")),
    "id:sscc": _rule(_split(17), _sscc),
    "id:sgln": _rule(_split(12) + rf"\.{_X}{{1,20}}", _sgln),
    "id:grai": _rule(_split(12, r"\.\.") + rf"\.{_X}{{1,16}}", _thirteen("8003", "0")),
    "id:giai": _rule(_variable(30), _free("8004")),
    "id:gsrn": _rule(_split(17), _checked("8018")),
    "id:gsrnp": _rule(_split(17), _checked("8017")),
    "id:gdti": _rule(_split(12, r"\.\.") + rf"{_X}{{1,20}}", _thirteen("253")),
    "id:cpi": _rule(_variable(30, _CP) + r"\.\d{1,12}", _cpi(serial=True)),
    "id:sgcn": _rule(_split(12) + r"\.\d{1,12}", _thirteen("255")),
    "id:ginc": _rule(_variable(30), _free("401")),
    "id:gsin": _rule(_split(16), _checked("402")),
    "id:itip": _rule(_split(13) + rf"\.\d{{2}}\.\d{{2}}\.{_X}{{1,20}}", _itip(serial=True)),
    "id:upui": _rule(_split(13) + rf"\.{_X}{{1,28}}", _item("235")),
    "id:pgln": _rule(_split(12), _checked("417")),
    "class:lgtin": _rule(_split(13) + rf"\.{_X}{{1,20}}", _item("10")),
    "idpat:sgtin": _rule(_split(13) + r"\.\*", _item(None)),
    "idpat:grai": _rule(_split(12, r"\.\.") + r"\.\*", _thirteen("8003", "0", serial=False)),
    "idpat:gdti": _rule(_split(12, r"\.\.") + r"\.\*", _thirteen("253", serial=False)),
    "idpat:sgcn": _rule(_split(12, r"\.\.") + r"\.\*", _thirteen("255", serial=False)),
    "idpat:cpi": _rule(_variable(30, _CP) + r"\.\*", _cpi(serial=False)),
    "idpat:itip": _rule(_split(13) + r"\.\d{2}\.\d{2}\.\*", _itip(serial=False)),
    "idpat:upui": _rule(_split(13) + r"\.\*", _item(None)),
}

# --- GS1 Digital Link -----------------------------------------------------------------------

_DL_KEYS = (
    "01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|"
    "gdti|401|ginc|402|gsin|8003|grai|8004|giai"
)
_LOOKS_LIKE_LINK = re.compile(rf"https?:[^?#]*/(?:{_DL_KEYS})/\d{{4}}[^/]")
_SHORT_NAMES = (
    ("/gtin/", "/01/"),
    ("/itip/", "/8006/"),
    ("/cpid/", "/8010/"),
    ("/gln/", "/414/"),
    ("/party/", "/417/"),
    ("/gsrnp/", "/8017/"),
    ("/gsrn/", "/8018/"),
    ("/gcn/", "/255/"),
    ("/sscc/", "/00/"),
    ("/gdti/", "/253/"),
    ("/ginc/", "/401/"),
    ("/gsin/", "/402/"),
    ("/grai/", "/8003/"),
    ("/giai/", "/8004/"),
    ("/cpv/", "/22/"),
    ("/lot/", "/10/"),
    ("/ser/", "/21/"),
)
_ON_GS1 = re.compile(
    r"https://id.gs1.org/(?:01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)"
    r"/\d{4}[^/]"
)
_PRIMARY_KEYS = (
    "/00/", "/01/", "/253/", "/255/", "/401/", "/402/", "/414/", "/417/",
    "/8003/", "/8004/", "/8006/", "/8010/", "/8017/", "/8018/",
)  # fmt: skip
_GTIN_SHORT = ((re.compile(r"https://id.gs1.org/01/\d{13}"), "/01/0"),
               (re.compile(r"https://id.gs1.org/01/\d{12}"), "/01/00"),
               (re.compile(r"https://id.gs1.org/01/\d{8}"), "/01/000000"))  # fmt: skip
_GTIN_14 = re.compile(r"https://id.gs1.org/01/\d{14}")
_ITEM = r"https://id.gs1.org/(?:8006/\d{18}|01/\d{14})"
_CPV_ONLY = re.compile(rf"{_ITEM}/22/{_DL}{{0,20}}$")
_CPV_THEN_MORE = re.compile(
    rf"{_ITEM}/22/[/\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]{{0,20}}$"
)
_LOT_AND_SERIAL = re.compile(rf"{_ITEM}/10/{_DL}{{0,20}}/21/{_DL}{{0,20}}$")
_CANONICAL = re.compile(
    r"https://id.gs1.org/(?:"
    r"00/\d{18}"
    rf"|01/\d{{14}}(?:/21/{_DL}{{0,20}}|/10/{_DL}{{0,20}}|/235/{_DL}{{0,28}})?"
    rf"|253/\d{{13}}{_DL}{{0,17}}"
    r"|255/\d{13}\d{0,12}"
    rf"|401/{_DL}{{0,30}}"
    r"|402/\d{17}"
    rf"|414/\d{{13}}(?:/254/{_DL}{{0,20}})?"
    r"|417/\d{13}"
    rf"|8003/\d{{14}}{_DL}{{0,16}}"
    rf"|8004/{_DL}{{0,30}}"
    rf"|8006/\d{{18}}(?:/21/{_DL}{{0,20}}|/10/{_DL}{{0,20}})?"
    r"|8010/[\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30}(?:/8011/\d{0,12})?"
    r"|8017/\d{18}"
    r"|8018/\d{18}"
    r")$"
)


def _canonical_digital_link(uri: str) -> str | None:
    if not _LOOKS_LIKE_LINK.match(uri):
        return None
    query = uri.find("?")
    if query >= 0:
        uri = uri[:query]
    for short, ai in _SHORT_NAMES:
        if short in uri:
            uri = uri.replace(short, ai)
    if not _ON_GS1.match(uri):
        for key in _PRIMARY_KEYS:
            at = uri.find(key)
            if at != -1:
                uri = "https://id.gs1.org" + uri[at:]
                break
    if not _GTIN_14.match(uri):
        for short_gtin, padding in _GTIN_SHORT:
            if short_gtin.match(uri):
                uri = uri.replace("/01/", padding)
                break
    cpv = uri.find("/22/")
    after_cpv = uri[cpv + 4 :]
    if _CPV_ONLY.match(uri):
        uri = uri[:cpv]
    elif _CPV_THEN_MORE.match(uri):
        slash = after_cpv.find("/")
        uri = uri[:cpv] + after_cpv[slash:]
    if _LOT_AND_SERIAL.match(uri):  # a serial names the instance: the lot adds nothing
        lot = uri.find("/10/")
        after_lot = uri[lot + 4 :]
        uri = uri[:lot] + after_lot[after_lot.find("/") :]
    return uri if _CANONICAL.match(uri) else None


def canonical_link(value: str) -> str | None:
    """The canonical GS1 Digital Link of an EPC URI or Digital Link URI, or None."""
    if "." not in value:
        return None
    if value.startswith("urn:epc:"):
        kind, _colon, rest = value[8:].partition(":")
        scheme, _colon, body = rest.partition(":")
        rule = _EPC_RULES.get(f"{kind}:{scheme}")
        if rule is None or not rule[0].match(body):
            return None
        company, remainder = _parts(body)
        return rule[1](company, remainder, body)
    if value.startswith("http"):
        return _canonical_digital_link(value)
    return None
