"""Salted commitments to canonical records: what a leaf of the oretrace log holds.

Pure: no ORM, no settings. A log entry is the 32-byte commitment

    SHA-256("oretrace-record/v1\\n" || salt || canonical JSON of the record)

and the leaf hash is the RFC 6962 leaf hash of that entry. The record is
``{"type", "id", "version", "facts"}``: its public facts, never personal data. The salt (16
random bytes, one per leaf) keeps the entry from being matched against guessed contents; it is
stored beside the record and erased with it, after which the leaf stays valid but can no longer
be opened. A proof bundle carries the salt and the record in its ``extra`` line (an
``opening``), from which anyone recomputes the entry.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

import orjson

from oretrace.core import bounds

FORMAT = "oretrace-record/v1"
SALT_SIZE = 16
_PREFIX = FORMAT.encode() + b"\n"

JsonObject = dict[str, Any]
"""A record document or its facts: JSON, and read back from bundles that come from outside."""


class CommitmentError(ValueError):
    """An opening that is malformed."""


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS
_dumps = orjson.dumps
_SCALARS = frozenset({str, int, bool, type(None)})


def _plain(value: Any) -> bool:
    """Whether ``value`` holds only the types orjson writes byte for byte as the reference
    encoder does: exact ``dict``, ``list``, ``tuple``, ``str``, ``int``, ``bool`` and ``None``.
    Not floats (``1e+16`` vs ``1e16``), nor what the reference encoder refuses but orjson
    writes (datetimes, UUIDs, enums, dataclasses, subclasses). Keys are not checked: orjson
    refuses every key that is not exactly a ``str`` (the reference sorts and converts them)."""
    kind = type(value)
    if kind is dict:
        values = value.values()
        return _SCALARS.issuperset(map(type, values)) or all(map(_plain, values))
    if kind is list or kind is tuple:
        return _SCALARS.issuperset(map(type, value)) or all(map(_plain, value))
    return kind in _SCALARS


def _reference_json(value: Any) -> bytes:
    return _ENCODER.encode(value).encode()


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the same bytes for the same facts everywhere.

    The bytes are those of ``json.dumps(value, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False, allow_nan=False)`` encoded as UTF-8 (the reference, which any verifier
    can reproduce). Values made only of plain JSON types are written by orjson, ~8x faster and
    byte-identical (tested over every code point and generated values); anything else, and
    what orjson refuses (integers beyond 64 bits, nesting deeper than 254), goes through the
    reference encoder, which also raises the reference's errors.
    """
    if _plain(value):
        try:
            return _dumps(value, option=_ORJSON_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError: out-of-range int, deep nesting, surrogates
            pass
    return _reference_json(value)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_SIZE)


def new_salts(count: int) -> list[bytes]:
    """``count`` salts from one read of the system's random source."""
    pool = secrets.token_bytes(SALT_SIZE * count)
    return [pool[i : i + SALT_SIZE] for i in range(0, len(pool), SALT_SIZE)]


def record_document(
    record_type: str, record_id: str, version: int, facts: JsonObject
) -> JsonObject:
    return {"type": record_type, "id": str(record_id), "version": version, "facts": facts}


def commit(salt: bytes, document: JsonObject) -> bytes:
    """The entry committed to the log for ``document`` with ``salt``."""
    return hashlib.sha256(_PREFIX + salt + canonical_json(document)).digest()


def commit_record(
    salt: bytes, record_type: str, record_id: str, version: int, facts: JsonObject
) -> bytes:
    """``commit(salt, record_document(...))``: the entry of one version of one record."""
    return commit(salt, record_document(record_type, record_id, version, facts))


def commit_records(
    salts: list[bytes],
    record_type: str,
    ids: list[str],
    versions: list[int],
    facts: list[JsonObject],
) -> list[bytes]:
    """``commit_record`` for a batch of one record type, for bulk appends: same bytes.

    The document ``{"facts", "id", "type", "version"}`` is assembled in sorted-key order
    around the canonical JSON of the facts, so only the facts go through the encoder; the
    type is encoded once and the id is encoded with it (a JSON string of any characters).
    """
    type_json = canonical_json(record_type)
    try:  # ids are strings: orjson writes any string as the reference does, or refuses it
        id_jsons = [_dumps(str(record_id)) for record_id in ids]
    except TypeError:
        id_jsons = [canonical_json(str(record_id)) for record_id in ids]
    prefix, sha256, encode = _PREFIX, hashlib.sha256, canonical_json
    return [
        sha256(
            b'%b%b{"facts":%b,"id":%b,"type":%b,"version":%d}'
            % (prefix, salt, encode(record_facts), id_json, type_json, version)
        ).digest()
        for salt, id_json, version, record_facts in zip(
            salts, id_jsons, versions, facts, strict=True
        )
    ]


@dataclass(frozen=True)
class Opening:
    """What a verifier needs to recompute an entry: the salt and the record document."""

    salt: bytes
    document: JsonObject

    @property
    def entry(self) -> bytes:
        return commit(self.salt, self.document)

    def encode(self) -> bytes:
        """The bytes that go, base64-encoded, into a proof bundle's ``extra`` line."""
        return canonical_json(
            {
                "format": FORMAT,
                "salt": base64.b64encode(self.salt).decode(),
                "record": self.document,
            }
        )

    @classmethod
    def decode(cls, data: bytes) -> Opening:
        try:
            bounds.check_json_depth(data, "the record in the bundle")
        except bounds.InputRefused as exc:
            raise CommitmentError(str(exc)) from None
        try:
            value = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise CommitmentError("the record in the bundle is not JSON") from None
        if not isinstance(value, dict) or value.get("format") != FORMAT:
            raise CommitmentError(f"the record in the bundle is not in the {FORMAT} format")
        document = value.get("record")
        if not isinstance(document, dict) or not {"type", "id", "version", "facts"} <= set(
            document
        ):
            raise CommitmentError("the record in the bundle lacks its type, id, version or facts")
        try:
            salt = base64.b64decode(str(value.get("salt", "")), validate=True)
        except (binascii.Error, ValueError):
            raise CommitmentError("the record's salt is not base64") from None
        if len(salt) != SALT_SIZE:
            raise CommitmentError(f"the record's salt is not {SALT_SIZE} bytes")
        return cls(salt, document)
