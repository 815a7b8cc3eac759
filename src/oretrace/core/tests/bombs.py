"""Hostile inputs built in memory for the limit tests (never stored in the repository).

`workbook_bomb` is an .xlsx of ~1 MB whose worksheet inflates to 1 GiB: one 1 MiB deflate
block, flushed so that it stands alone, repeated — built in well under a second without ever
holding the inflated bytes. ``lie=True`` makes its central directory declare 1 KiB instead.
"""

from __future__ import annotations

import functools
import struct
import zlib

GIB = 1 << 30

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
    b'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    b'.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
    b'.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships"><sheets><sheet name="Declaration" sheetId="1" r:id="rId1"/></sheets>'
    b"</workbook>"
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    b'.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
    b'.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b"</Relationships>"
)
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main"><sheetData><row r="1">'
)


_SHEET_TAIL = b"</row></sheetData></worksheet>"


@functools.cache
def _bomb_part(size: int) -> tuple[bytes, int, int]:
    """Raw deflate data of a worksheet inflating to about ``size`` bytes: its head, then one
    1 MiB block of cells repeated (a full flush makes each copy stand alone); with its CRC-32
    and exact inflated size. Nothing inflated is ever held. Made once per size in a process:
    the CRC-32 of a gibibyte takes seconds, and many tests ask for the same bomb."""
    cell = b'<c r="A1"><v>0</v></c>'
    chunk = cell * ((1 << 20) // len(cell)) + b" " * ((1 << 20) % len(cell))
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    head_raw = head.compress(_SHEET_HEAD) + head.flush(zlib.Z_FULL_FLUSH)
    block = zlib.compressobj(9, zlib.DEFLATED, -15)
    flushed = block.compress(chunk) + block.flush(zlib.Z_FULL_FLUSH)
    count = max(1, size // len(chunk))
    crc = zlib.crc32(_SHEET_HEAD)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    final = tail.compress(_SHEET_TAIL) + tail.flush()
    crc = zlib.crc32(_SHEET_TAIL, crc)
    size = len(_SHEET_HEAD) + count * len(chunk) + len(_SHEET_TAIL)
    return head_raw + flushed * count + final, crc, size


def build_zip(parts: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, raw deflate data, CRC-32, size as declared, method) entries."""
    out = bytearray()
    directory = bytearray()
    for name, raw, crc, size, method in parts:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(raw), size, len(encoded), 0
        )
        out += encoded + raw
        directory += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            method,
            0,
            0,
            crc,
            len(raw),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += encoded
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), len(out), 0
    )
    return bytes(out + directory + end)


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)


def workbook_bomb(size: int = GIB, *, lie: bool = False, entries: int = 0) -> bytes:
    """An .xlsx whose worksheet inflates to ``size`` bytes; ``lie``: the directory says 1 KiB.
    ``entries`` adds that many tiny parts (the too-many-entries bomb)."""
    parts = []
    for name, data in (
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _RELS),
        ("xl/workbook.xml", _WORKBOOK),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
    ):
        raw, crc, length = _deflated(data)
        parts.append((name, raw, crc, length, 8))
    raw, crc, length = _bomb_part(size)
    parts.append(("xl/worksheets/sheet1.xml", raw, crc, 1024 if lie else length, 8))
    for index in range(entries):
        raw, crc, length = _deflated(b"x")
        parts.append((f"xl/media/p{index}.bin", raw, crc, length, 8))
    return build_zip(parts)


def billion_laughs() -> bytes:
    """The classic exponential entity expansion, wrapped as an EPCIS document."""
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE lolz [", '  <!ENTITY lol "lol">']
    for level in range(1, 10):
        previous = "lol" if level == 1 else f"lol{level - 1}"
        lines.append(f'  <!ENTITY lol{level} "{("&" + previous + ";") * 10}">')
    lines.append("]>")
    lines.append(
        '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" '
        'creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>'
        "<eventTime>&lol9;</eventTime></ObjectEvent></EventList></EPCISBody>"
        "</epcis:EPCISDocument>"
    )
    return "\n".join(lines).encode()


def external_entity() -> bytes:
    """An XML external entity (XXE) that would read a local file."""
    return (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" '
        b'creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList/></EPCISBody>'
        b"<x>&xxe;</x></epcis:EPCISDocument>"
    )


def deep_json(depth: int = 1_000_000) -> bytes:
    """JSON nested ``depth`` levels deep (2 MB at 10^6)."""
    return b"[" * depth + b"]" * depth
