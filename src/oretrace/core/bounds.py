"""Limits that hold before the work is done: zip packages, inflation, JSON depth.

Every parser that reads a user's bytes asks this module first, so that a small upload cannot
become a large amount of work (a 2 MB workbook that inflates to 1 GiB, JSON nested a million
levels deep). Each refusal is an `InputRefused` with a stable ``code`` and a message that says
what was found and what the limit is.

Pure: no ORM, no settings. The limits in force are one `Limits` value; ``oretrace.core``
configures it from the ``ORETRACE_*`` settings when Django starts (see `configure`), and the
defaults below are the documented defaults.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, replace

import numpy as np

MIB = 1024 * 1024

# The first bytes of files people upload by mistake where a workbook or a CSV file is expected.
_FOREIGN_SIGNATURES = {
    b"\xff\xd8\xff": "a JPEG image",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"{\\rtf": "an RTF document",
}


class InputRefused(ValueError):
    """Input refused because it would take more work than the limits allow.

    ``code`` names the limit (``zip-too-large``, ``zip-too-many-entries``, ``zip-size-mismatch``,
    ``zip-damaged``, ``json-too-deep``); the message is for the user.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Limits:
    zip_max_inflated: int = 20 * MIB  # all entries of one package, inflated
    zip_max_entries: int = 2_000
    json_max_depth: int = 64


_current = Limits()


def current() -> Limits:
    """The limits in force."""
    return _current


def configure(**changes: int) -> Limits:
    """Set limits (by field name); returns the previous ones so a test can restore them."""
    global _current
    previous = _current
    _current = replace(_current, **changes)
    return previous


def _mb(size: int) -> str:
    return f"{size / MIB:,.0f} MB" if size >= MIB else f"{size:,} bytes"


# --- zip packages (.xlsx, .xlsm, any zip) -----------------------------------------------------


def check_zip(data: bytes, what: str = "the file", limits: Limits | None = None) -> None:
    """Refuse a zip package whose central directory declares more than the limits allow.

    Reads only the central directory: nothing is inflated. The sizes it declares can lie;
    whatever inflates the parts afterwards must stop at the declared size (`inflate` does,
    Python's ``zipfile`` does), or the package must go through `verify_zip` first.
    """
    limits = limits or _current
    try:
        with zipfile.ZipFile(_Reader(data)) as package:
            entries = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise InputRefused("zip-damaged", f"{what} is a damaged zip package: {exc}") from None
    if len(entries) > limits.zip_max_entries:
        raise InputRefused(
            "zip-too-many-entries",
            f"{what} holds {len(entries):,} parts; the limit is {limits.zip_max_entries:,}",
        )
    total = sum(info.file_size for info in entries)
    if total > limits.zip_max_inflated:
        raise InputRefused(
            "zip-too-large",
            f"{what} inflates to {_mb(total)}; the limit is {_mb(limits.zip_max_inflated)} "
            "(a workbook this large is not a supplier template)",
        )


def verify_zip(data: bytes, what: str = "the file", limits: Limits | None = None) -> None:
    """`check_zip`, then inflate every part in 1 MiB steps, keeping nothing, to prove that no
    part inflates to more than its declared size (a lying central directory) and that the
    package stays within the limits. Use it before handing a package to a reader that does
    not stop at the declared sizes (python-calamine)."""
    limits = limits or _current
    check_zip(data, what, limits)
    total = 0
    try:
        with zipfile.ZipFile(_Reader(data)) as package:
            for info in package.infolist():
                seen = 0
                with package.open(info) as part:
                    while chunk := part.read(MIB):
                        seen += len(chunk)
                        total += len(chunk)
                        if seen > info.file_size or total > limits.zip_max_inflated:
                            raise InputRefused(
                                "zip-size-mismatch",
                                f"{what}: part {info.filename!r} inflates to more than its "
                                "declared size",
                            )
    except InputRefused:
        raise
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError) as exc:
        # zipfile stops at the declared size and then finds the CRC wrong: a lying directory
        raise InputRefused("zip-damaged", f"{what} is a damaged zip package: {exc}") from None
    except zlib.error as exc:
        raise InputRefused("zip-damaged", f"{what} is a damaged zip package: {exc}") from None


class _Reader:
    """A read-only file over bytes without the copy ``io.BytesIO`` makes of a bytes slice."""

    def __init__(self, data: bytes) -> None:
        self._view = memoryview(data)
        self._position = 0

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._position, 2: len(self._view)}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else self._position + size
        chunk = bytes(self._view[self._position : end])
        self._position += len(chunk)
        return chunk


def inflate(raw: bytes, length: int, what: str = "a part") -> bytes:
    """Raw deflate data that must inflate to exactly ``length`` bytes: never more is produced."""
    if length > _current.zip_max_inflated:
        raise InputRefused(
            "zip-too-large",
            f"{what} inflates to {_mb(length)}; the limit is {_mb(_current.zip_max_inflated)}",
        )
    inflater = zlib.decompressobj(-15)
    out = inflater.decompress(raw, length + 1)
    if len(out) != length or inflater.unconsumed_tail:
        raise InputRefused(
            "zip-size-mismatch", f"{what} does not inflate to the size its directory declares"
        )
    return out


# --- JSON ---------------------------------------------------------------------------------------

_DEPTH = np.zeros(256, dtype=np.int8)
_DEPTH[[ord("["), ord("{")]] = 1
_DEPTH[[ord("]"), ord("}")]] = -1
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')


def json_depth(raw: bytes | str) -> int:
    """How deep the arrays and objects of a JSON text nest, without parsing it: vectorised
    passes over the bytes (no recursion, no Python loop), brackets inside strings not counted.
    Meant for text that is about to be parsed; invalid JSON gives some number, never an error."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    if b"[" not in data and b"{" not in data:
        return 0
    if b"\\" in data:  # escapes: drop escaped backslashes (in pairs), then escaped quotes
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Only brackets and quotes count: the rest goes in one C pass (~1/10 of the text is left),
    # after the escapes, so no backslash meets a quote it did not escape.
    data = data.translate(None, _NOT_STRUCTURE)
    codes = np.frombuffer(data, dtype=np.uint8)
    steps = _DEPTH[codes]
    if b'"' in data:  # every quote opens or closes a string: brackets between them are text
        inside = np.cumsum(codes == ord('"'), dtype=np.int32) & 1
        steps = np.where(inside == 0, steps, 0).astype(np.int8)
    return int(np.cumsum(steps, dtype=np.int32).max())


def check_json_depth(raw: bytes | str, what: str = "the JSON document") -> None:
    """Refuse JSON nested deeper than the limit, before any parser recurses into it."""
    limit = _current.json_max_depth
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if data.count(b"[") + data.count(b"{") <= limit:  # cannot nest deeper: no scan needed
        return
    depth = json_depth(data)
    if depth > limit:
        raise InputRefused(
            "json-too-deep",
            f"{what} nests {depth:,} levels deep; the limit is {limit:,}",
        )


def foreign_kind(data: bytes) -> str:
    """What ``data`` plainly is when its first bytes name a kind of file that is neither a
    workbook nor a CSV file (``"a PDF document"``), for the refusal's message; else ``""``."""
    return next((what for sig, what in _FOREIGN_SIGNATURES.items() if data.startswith(sig)), "")
