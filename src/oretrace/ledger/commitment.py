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

FORMAT = "oretrace-record/v1"
SALT_SIZE = 16
_PREFIX = FORMAT.encode() + b"\n"


class CommitmentError(ValueError):
    """An opening that is malformed."""


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the same bytes for the same facts everywhere."""
    return _ENCODER.encode(value).encode()


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_SIZE)


def new_salts(count: int) -> list[bytes]:
    """``count`` salts from one read of the system's random source."""
    pool = secrets.token_bytes(SALT_SIZE * count)
    return [pool[i : i + SALT_SIZE] for i in range(0, len(pool), SALT_SIZE)]


def record_document(record_type: str, record_id: str, version: int, facts: dict) -> dict:
    return {"type": record_type, "id": str(record_id), "version": version, "facts": facts}


def commit(salt: bytes, document: dict) -> bytes:
    """The entry committed to the log for ``document`` with ``salt``."""
    return hashlib.sha256(_PREFIX + salt + canonical_json(document)).digest()


def commit_record(
    salt: bytes, record_type: str, record_id: str, version: int, facts: dict
) -> bytes:
    """``commit(salt, record_document(...))`` without building the document: the bytes are
    assembled in sorted-key order (facts, id, type, version), for batch appends."""
    encode = _ENCODER.encode
    canonical = (
        f'{{"facts":{encode(facts)},"id":{encode(record_id)},"type":{encode(record_type)},'
        f'"version":{version:d}}}'
    )
    return hashlib.sha256(_PREFIX + salt + canonical.encode()).digest()


_PLAIN_ID = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.:")


def commit_records(
    salts: list[bytes], record_type: str, ids: list[str], versions: list[int], facts: list[dict]
) -> list[bytes]:
    """``commit_record`` for a batch of one record type: the type is encoded once, and ids made
    of plain characters need no JSON escaping. Same bytes as ``commit_record``, faster."""
    encode = _ENCODER.encode
    type_json = encode(record_type)
    prefix, sha256 = _PREFIX, hashlib.sha256
    entries = []
    for salt, record_id, version, record_facts in zip(salts, ids, versions, facts, strict=True):
        id_json = f'"{record_id}"' if _PLAIN_ID.issuperset(record_id) else encode(record_id)
        canonical = (
            f'{{"facts":{encode(record_facts)},"id":{id_json},"type":{type_json},'
            f'"version":{version:d}}}'
        )
        entries.append(sha256(prefix + salt + canonical.encode()).digest())
    return entries


@dataclass(frozen=True)
class Opening:
    """What a verifier needs to recompute an entry: the salt and the record document."""

    salt: bytes
    document: dict

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
