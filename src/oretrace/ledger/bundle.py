"""C2SP tlog-proof bundles (``c2sp.org/tlog-proof@v1``): build, parse, verify offline.

Pure: no ORM, no settings. An oretrace bundle carries the record's opening (salt and public
facts, see ``commitment``) in its ``extra`` line, so a verifier with only the log's public key
recomputes the leaf, checks the checkpoint's signature (and witness cosignatures), and checks
the inclusion proof — in that order, and each failure says which step failed.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from oretrace.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    NotWitnessed,
    VerifiedCheckpoint,
    check_quorum,
    verify_checkpoint,
)
from oretrace.ledger.commitment import CommitmentError, Opening
from oretrace.ledger.merkle import HASH_SIZE, MerkleError, leaf_hash, verify_inclusion
from oretrace.ledger.note import CosignatureVerifier, Verifier

HEADER = "c2sp.org/tlog-proof@v1"
MAX_PROOF_LINES = 64
_INDEX = re.compile(r"index (0|[1-9][0-9]*)")


class BundleError(ValueError):
    """A bundle that cannot be read, or that fails one verification step (named in ``step``)."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
        self.message = message


@dataclass(frozen=True)
class Bundle:
    index: int
    proof: tuple[bytes, ...]
    checkpoint: str  # the signed note, verbatim
    extra: bytes | None = None

    def encode(self) -> str:
        lines = [HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines += [base64.b64encode(h).decode() for h in self.proof]
        return "\n".join(lines) + "\n\n" + self.checkpoint


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BundleError("format", f"{what} is not base64") from None


def parse_bundle(data: bytes | str) -> Bundle:
    """Read a bundle; ``BundleError(step="format")`` names the first thing that is wrong."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BundleError("format", "the file is not UTF-8 text") from None
    data = data.replace("\r\n", "\n")
    head, sep, checkpoint = data.partition("\n\n")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise BundleError("format", f"not a tlog-proof bundle (the first line must be {HEADER})")
    if not sep or not checkpoint:
        raise BundleError("format", "the bundle has no checkpoint after its proof")
    pos, extra = 1, None
    if pos < len(lines) and lines[pos].startswith("extra "):
        extra = _b64(lines[pos][len("extra ") :], "the extra line")
        pos += 1
    match = _INDEX.fullmatch(lines[pos]) if pos < len(lines) else None
    if match is None:
        raise BundleError("format", "the bundle has no 'index N' line")
    proof_lines = lines[pos + 1 :]
    if len(proof_lines) > MAX_PROOF_LINES:
        raise BundleError("format", "the inclusion proof is too long")
    proof = tuple(_b64(line, f"proof line {i + 1}") for i, line in enumerate(proof_lines))
    if any(len(h) != HASH_SIZE for h in proof):
        raise BundleError("format", f"a proof line is not a {HASH_SIZE}-byte hash")
    return Bundle(int(match[1]), proof, checkpoint, extra)


@dataclass(frozen=True)
class VerifiedBundle:
    bundle: Bundle
    opening: Opening
    checkpoint: Checkpoint
    verified: VerifiedCheckpoint

    @property
    def document(self) -> dict[str, Any]:
        return self.opening.document

    @property
    def witnesses(self) -> list[tuple[str, int]]:
        return self.verified.witnesses


def verify_bundle(
    data: bytes | str,
    log_verifiers: Sequence[Verifier],
    *,
    origin: str | None = None,
    witness_verifiers: Sequence[CosignatureVerifier] = (),
    min_witnesses: int = 0,
) -> VerifiedBundle:
    """Verify a bundle offline; raise ``BundleError`` naming the step that failed."""
    bundle = parse_bundle(data)
    if bundle.extra is None:
        raise BundleError("record", "the bundle carries no record (no extra line)")
    try:
        opening = Opening.decode(bundle.extra)
    except CommitmentError as exc:
        raise BundleError("record", str(exc)) from None
    try:
        verified = verify_checkpoint(
            bundle.checkpoint, log_verifiers, origin=origin, witness_verifiers=witness_verifiers
        )
    except CheckpointError as exc:
        raise BundleError("checkpoint", str(exc)) from None
    try:
        check_quorum(verified, min_witnesses, len(witness_verifiers))
    except NotWitnessed as exc:
        raise BundleError("witnesses", str(exc)) from None
    checkpoint = verified.checkpoint
    try:
        verify_inclusion(
            bundle.index, checkpoint.size, leaf_hash(opening.entry), bundle.proof, checkpoint.root
        )
    except MerkleError as exc:
        raise BundleError(
            "inclusion",
            f"{exc}: the record in this bundle is not the one logged at index {bundle.index} "
            "(it was changed after it was logged, or the bundle was altered)",
        ) from None
    return VerifiedBundle(bundle, opening, checkpoint, verified)
