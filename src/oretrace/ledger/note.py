"""C2SP signed notes (c2sp.org/signed-note) with Ed25519, and tlog-cosignature/v1 cosignatures.

Pure: no ORM, no settings. Text encodings:

- verifier key (vkey): ``<name>+<hex key ID>+<base64(type || public key)>`` (the spec's);
- signer key (skey): ``PRIVATE+KEY+<name>+<hex key ID>+<base64(type || 32-byte seed)>``, the
  encoding of golang.org/x/mod/sumdb/note, so keys move between this and the Go tools.

Signature type 0x01 signs the note text; type 0x04 (c2sp.org/tlog-cosignature, Ed25519) signs
``cosignature/v1\\ntime <t>\\n`` followed by the checkpoint text, and carries the timestamp.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
ALGORITHMS = {ED25519: "Ed25519", COSIGNATURE_V1: "Ed25519 cosignature/v1"}
MAX_SIGNATURES = 100
DASH = "\u2014 "
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")


class NoteError(ValueError):
    """A note, key or signature that is malformed or does not verify."""


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"{what} is not valid base64") from None


def check_key_name(name: str) -> str:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")
    return name


def key_id(name: str, algorithm: int, public_key: bytes) -> int:
    """SHA-256(name || 0x0A || type || public key)[:4] as a big-endian uint32."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([algorithm]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@lru_cache(maxsize=256)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


class Verifier(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, text: bytes, signature: bytes) -> bool: ...


@dataclass(frozen=True)
class Ed25519Verifier:
    """Verifies type 0x01 signatures (a log's checkpoint signature)."""

    name: str
    public_key: bytes
    algorithm: int = ED25519

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.algorithm, self.public_key)

    @property
    def vkey(self) -> str:
        material = base64.b64encode(bytes([self.algorithm]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{material}"

    def _message(self, text: bytes, signature: bytes) -> tuple[bytes, bytes] | None:
        return text, signature

    def verify(self, text: bytes, signature: bytes) -> bool:
        parts = self._message(text, signature)
        if parts is None or len(parts[1]) != 64:
            return False
        return _ed25519_valid(self.public_key, parts[0], parts[1])


@lru_cache(maxsize=64)
def _ed25519_valid(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s Ed25519 signature of ``message``.

    Remembered for the last few distinct inputs: verifying many bundles of one checkpoint (a
    product's chain, ``oretrace verify`` over a folder) checks the same signature over the same
    text each time, and the answer for the same three byte strings cannot change.
    """
    try:
        _public_key(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class CosignatureVerifier(Ed25519Verifier):
    """Verifies c2sp.org/tlog-cosignature v1 (type 0x04) cosignatures of a witness."""

    algorithm: int = COSIGNATURE_V1

    def _message(self, text: bytes, signature: bytes) -> tuple[bytes, bytes] | None:
        if len(signature) != 72:
            return None
        (timestamp,) = struct.unpack(">Q", signature[:8])
        if timestamp >= 2**63:
            return None
        return cosigned_message(text, timestamp), signature[8:]


def cosigned_message(text: bytes, timestamp: int) -> bytes:
    return b"cosignature/v1\ntime %d\n" % timestamp + text


def parse_cosignature_vkey(vkey: str) -> CosignatureVerifier:
    """Read a witness's verifier key (type 0x04); a log key (type 0x01) is refused."""
    verifier = parse_vkey(vkey)
    if not isinstance(verifier, CosignatureVerifier):
        raise NoteError(f"{verifier.name} is a log key (type 0x01), not a cosignature key (0x04)")
    return verifier


def parse_vkey(vkey: str) -> Ed25519Verifier:
    """Read a verifier key; type 0x01 gives a log verifier, 0x04 a cosignature verifier."""
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError(f"verifier key {vkey.strip()!r} is not <name>+<key ID>+<key>")
    name, hex_id, material = parts
    check_key_name(name)
    algorithm, public_key = _key_material(material, "the verifier key")
    verifier = _verifier(algorithm, name, public_key)
    _check_key_id(hex_id, verifier.key_id, "the verifier key")
    return verifier


def _key_material(material: str, what: str) -> tuple[int, bytes]:
    """The type and the 32 key bytes of a key's base64 ``type || key`` part."""
    raw = _b64decode(material, f"{what}'s material")
    if len(raw) != 33 or raw[0] not in ALGORITHMS:
        raise NoteError(
            f"{what} is not an Ed25519 key (type 0x01) or an Ed25519 cosignature key "
            "(type 0x04) of 32 bytes"
        )
    return raw[0], raw[1:]


def _check_key_id(hex_id: str, expected: int, what: str) -> None:
    """Refuse a key whose written ID is not the one its name and key give."""
    if f"{expected:08x}" != hex_id.lower():
        raise NoteError(f"{what}'s ID {hex_id} does not match its name and key")


def _verifier(algorithm: int, name: str, public_key: bytes) -> Ed25519Verifier:
    """The verifier of ``algorithm`` (a log's signature or a witness's cosignature)."""
    cls = Ed25519Verifier if algorithm == ED25519 else CosignatureVerifier
    return cls(name, public_key)


@dataclass(frozen=True)
class Signer:
    """Signs notes (type 0x01) or cosigns checkpoints (type 0x04) with an Ed25519 seed."""

    name: str
    seed: bytes
    algorithm: int = ED25519

    @classmethod
    def generate(cls, name: str, algorithm: int = ED25519) -> Signer:
        private = Ed25519PrivateKey.generate()
        seed = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return cls(check_key_name(name), seed, algorithm)

    @property
    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def verifier(self) -> Ed25519Verifier:
        return _verifier(self.algorithm, self.name, _raw_public(self._private.public_key()))

    @property
    def key_id(self) -> int:
        return self.verifier.key_id

    @property
    def skey(self) -> str:
        material = base64.b64encode(bytes([self.algorithm]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{material}"

    def signature_line(self, text: bytes, *, timestamp: int | None = None) -> str:
        """The ``— name base64(key ID || signature)`` line for ``text``."""
        if self.algorithm == COSIGNATURE_V1:
            if timestamp is None or not 0 < timestamp < 2**63:
                raise NoteError("a cosignature needs a positive POSIX timestamp")
            body = struct.pack(">Q", timestamp) + self._private.sign(
                cosigned_message(text, timestamp)
            )
        else:
            body = self._private.sign(text)
        encoded = base64.b64encode(struct.pack(">I", self.key_id) + body).decode()
        return f"{DASH}{self.name} {encoded}\n"


def parse_skey(skey: str) -> Signer:
    """Read a signer key in the ``PRIVATE+KEY+name+id+key`` encoding."""
    prefix = "PRIVATE+KEY+"
    parts = skey.strip().removeprefix(prefix).split("+", 2)
    if not skey.strip().startswith(prefix) or len(parts) != 3:
        raise NoteError("the signer key is not PRIVATE+KEY+<name>+<key ID>+<key>")
    name, hex_id, material = parts
    algorithm, seed = _key_material(material, "the signer key")
    signer = Signer(check_key_name(name), seed, algorithm)
    _check_key_id(hex_id, signer.key_id, "the signer key")
    return signer


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: int
    signature: bytes  # without the key ID
    line: str


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[Signature, ...]

    @property
    def text_bytes(self) -> bytes:
        return self.text.encode()

    def to_text(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.signatures)


def parse_note(data: bytes | str) -> Note:
    """Split a signed note into its text and signature lines, checking the format."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("the note is not valid UTF-8") from None
    if _CONTROL.search(data):
        raise NoteError("the note contains control characters")
    if not data.endswith("\n"):
        raise NoteError("the note does not end with a newline")
    split = data.rfind("\n\n")
    if split < 0:
        raise NoteError("the note has no blank line before its signatures")
    text, sig_block = data[: split + 1], data[split + 2 :]
    lines = sig_block.split("\n")[:-1]
    if not lines:
        raise NoteError("the note has no signatures")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"the note has more than {MAX_SIGNATURES} signatures")
    return Note(text, tuple(_parse_signature(line) for line in lines))


def _parse_signature(line: str) -> Signature:
    if not line.startswith(DASH):
        raise NoteError(f"malformed signature line {line[:40]!r}")
    name, sep, encoded = line[len(DASH) :].partition(" ")
    if not sep or " " in encoded:
        raise NoteError(f"malformed signature line {line[:40]!r}")
    check_key_name(name)
    raw = _b64decode(encoded, f"the signature by {name}")
    if len(raw) < 5:
        raise NoteError(f"the signature by {name} is too short")
    (kid,) = struct.unpack(">I", raw[:4])
    return Signature(name, kid, raw[4:], line + "\n")


def known_signatures(note: Note, verifiers: Sequence[Verifier]) -> list[Signature]:
    """The note's signatures by keys in ``verifiers``, each verified; others are passed over.

    A signature by a known key that fails raises ``NoteError``: a note is trusted whole or not.
    """
    known = {(v.name, v.key_id): v for v in verifiers}
    verified = []
    for sig in note.signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        if not verifier.verify(note.text_bytes, sig.signature):
            raise NoteError(f"the signature by {sig.name} ({sig.key_id:08x}) does not verify")
        verified.append(sig)
    return verified


def verify_note(data: bytes | str, verifiers: list[Verifier]) -> tuple[Note, list[Signature]]:
    """Parse and verify a note; return it with the signatures of known keys that verified.

    Signatures by unknown keys are ignored. A signature by a known key that fails rejects the
    whole note; so does a note without any verified signature by a known key.
    """
    note = parse_note(data)
    verified = known_signatures(note, verifiers)
    if not verified:
        names = ", ".join(f"{v.name}+{v.key_id:08x}" for v in verifiers) or "none"
        raise NoteError(f"the note carries no signature by a known key (known: {names})")
    return note, verified


def cosignature_timestamp(sig: Signature) -> int:
    (timestamp,) = struct.unpack(">Q", sig.signature[:8])
    return int(timestamp)
