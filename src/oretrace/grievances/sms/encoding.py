"""How many SMS parts a text takes on the air: GSM-7 where every character is in the GSM 03.38
alphabet, UCS-2 otherwise (Devanagari, most emoji). Pure: no Django.

A single SMS carries 160 GSM-7 septets or 70 UCS-2 code units; a longer text is sent as a
concatenated message whose parts each lose room to the user data header (UDH): 153 septets or
67 code units per part. The extension table's characters (``€``, ``[``, ``{``, …) take two
septets (an escape, then the character); a character outside the Basic Multilingual Plane takes
two UTF-16 code units.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_EXTENSION = "\f^{}\\[~]|€"
_BASIC_SET = frozenset(_BASIC) - {"\x1b"}
_EXTENSION_SET = frozenset(_EXTENSION)
SINGLE = {GSM7: 160, UCS2: 70}
PART = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class Segments:
    """A text's encoding, its length in that encoding's units, and the parts it takes."""

    encoding: str
    units: int
    parts: int


def is_gsm7(text: str) -> bool:
    """Whether every character of ``text`` is in the GSM 03.38 alphabet or its extension."""
    return all(ch in _BASIC_SET or ch in _EXTENSION_SET for ch in text)


def _units(text: str, encoding: str) -> list[int]:
    """Each character's size in the encoding's units (septets or UTF-16 code units)."""
    if encoding == GSM7:
        return [2 if ch in _EXTENSION_SET else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def split(text: str) -> list[str]:
    """The parts a sender cuts ``text`` into; an escape pair or a surrogate pair is never cut
    in two (the part then carries one unit less)."""
    encoding = GSM7 if is_gsm7(text) else UCS2
    sizes = _units(text, encoding)
    if sum(sizes) <= SINGLE[encoding]:
        return [text] if text else []
    room = PART[encoding]
    parts: list[str] = []
    start, used = 0, 0
    for index, size in enumerate(sizes):
        if used + size > room:
            parts.append(text[start:index])
            start, used = index, 0
        used += size
    parts.append(text[start:])
    return parts


def segments(text: str) -> Segments:
    """``text``'s encoding, units and number of parts (0 for an empty text)."""
    encoding = GSM7 if is_gsm7(text) else UCS2
    return Segments(encoding, sum(_units(text, encoding)), len(split(text)))
