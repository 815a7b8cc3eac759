"""C2SP tlog-checkpoint: the signed tree head, and its verification with witness cosignatures.

Pure: no ORM, no settings.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from oretrace.ledger.merkle import HASH_SIZE
from oretrace.ledger.note import (
    CosignatureVerifier,
    Note,
    NoteError,
    Signature,
    Signer,
    Verifier,
    cosignature_timestamp,
    parse_note,
    verify_note,
)

_SIZE = re.compile(r"0|[1-9][0-9]*")


OPERATOR_ONLY = "signed by the operator only \u2014 not witnessed"


class CheckpointError(ValueError):
    """A checkpoint that is malformed, unsigned or not acceptable."""


class NotWitnessed(CheckpointError):
    """A checkpoint that verifies, but with fewer witness cosignatures than the policy asks."""

    def __init__(self, found: int, required: int, configured: int) -> None:
        self.found, self.required, self.configured = found, required, configured
        if found == 0:
            message = (
                f"{OPERATOR_ONLY}: the checkpoint carries no cosignature of the {configured} "
                f"witness(es) configured, {required} required"
            )
        else:
            message = (
                f"only {found} valid witness cosignature(s), {required} required of the "
                f"{configured} witness(es) configured"
            )
        super().__init__(message)


def default_quorum(witnesses: int) -> int:
    """The cosignatures required of ``witnesses`` configured witnesses: a majority (0 if none).

    A majority, not all of them, so that one witness being down does not stop verification,
    while no single witness colluding with the operator can vouch for a split view alone
    once three or more are configured.
    """
    return witnesses // 2 + 1 if witnesses else 0


def check_quorum(verified: VerifiedCheckpoint, required: int, configured: int) -> None:
    """Raise ``NotWitnessed`` when ``verified`` has fewer than ``required`` cosignatures."""
    if len(verified.witnesses) < required:
        raise NotWitnessed(len(verified.witnesses), required, configured)


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The note text: origin, size, base64 root, extension lines; newline-terminated."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"

    def sign(self, signers: Sequence[Signer]) -> str:
        """The signed note, one signature line per signer."""
        text = self.body()
        return text + "\n" + "".join(s.signature_line(text.encode()) for s in signers)


def parse_body(text: str) -> Checkpoint:
    """Read a checkpoint's note text (without the signatures)."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise CheckpointError("a checkpoint needs an origin, a size and a root hash line")
    origin, size, root, *extensions = lines[:-1]
    if not origin:
        raise CheckpointError("the checkpoint's origin line is empty")
    if not _SIZE.fullmatch(size):
        raise CheckpointError(f"the checkpoint's size {size!r} is not a decimal number")
    try:
        root_hash = base64.b64decode(root, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointError("the checkpoint's root hash is not base64") from None
    if len(root_hash) != HASH_SIZE:
        raise CheckpointError(f"the checkpoint's root hash is not {HASH_SIZE} bytes")
    if any(not line for line in extensions):
        raise CheckpointError("the checkpoint has an empty extension line")
    return Checkpoint(origin, int(size), root_hash, tuple(extensions))


@dataclass(frozen=True)
class VerifiedCheckpoint:
    checkpoint: Checkpoint
    note: Note
    log_signatures: list[Signature]
    witnesses: list[tuple[str, int]] = field(default_factory=list)  # (name, timestamp)


def verify_checkpoint(
    data: bytes | str,
    log_verifiers: Sequence[Verifier],
    *,
    origin: str | None = None,
    witness_verifiers: Sequence[CosignatureVerifier] = (),
) -> VerifiedCheckpoint:
    """Verify the log's signature (and the cosignatures of known witnesses) on a checkpoint."""
    try:
        note, log_sigs = verify_note(data, list(log_verifiers))
    except NoteError as exc:
        raise CheckpointError(f"checkpoint signature: {exc}") from None
    checkpoint = parse_body(note.text)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(
            f"the checkpoint is from the log {checkpoint.origin!r}, not {origin!r}"
        )
    witnesses = []
    for witness in witness_verifiers:
        for sig in note.signatures:
            if (sig.name, sig.key_id) != (witness.name, witness.key_id):
                continue
            if not witness.verify(note.text_bytes, sig.signature):
                raise CheckpointError(f"the cosignature of witness {sig.name} does not verify")
            witnesses.append((sig.name, cosignature_timestamp(sig)))
            break
    return VerifiedCheckpoint(checkpoint, note, log_sigs, witnesses)


def add_signatures(signed: str, lines: Sequence[str]) -> str:
    """Append signature lines to a signed note, skipping lines it already carries."""
    note = parse_note(signed)
    present = {s.line for s in note.signatures}
    extra = [line if line.endswith("\n") else line + "\n" for line in lines]
    return signed + "".join(line for line in extra if line not in present)
