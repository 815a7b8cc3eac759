"""The log's keys, kept outside the database.

The signing key is generated at first use in ``ORETRACE_LEDGER_KEY_PATH`` (mode 0600, folder
0700) as a ``PRIVATE+KEY+…`` signer key; its public half (the vkey) is what verifiers need.
A second secret beside it (``link.key``) authenticates public verification links (QR codes),
so they cannot be guessed. See docs/reference/ledger.md for key rotation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from django.conf import settings

from oretrace.core.sealing import write_once, write_secret
from oretrace.ledger.checkpoint import default_quorum
from oretrace.ledger.exceptions import SigningKeyError
from oretrace.ledger.note import (
    COSIGNATURE_V1,
    CosignatureVerifier,
    Ed25519Verifier,
    NoteError,
    Signer,
    parse_skey,
    parse_vkey,
)


def load_signer(path: Path) -> Signer:
    try:
        text = path.read_text()
    except OSError as exc:
        raise SigningKeyError(f"cannot read the ledger signing key {path}: {exc}") from None
    try:
        return parse_skey(text)
    except NoteError as exc:
        raise SigningKeyError(f"the ledger signing key {path} is not valid: {exc}") from None


def log_signer() -> Signer:
    """The current signing key, generated on first use with the configured origin as name.

    Refuses to make a new key for a log that already signed checkpoints: on a second web node
    or after a restore without the key folder, a fresh key would sign checkpoints that no
    verifier trusts. Copy the log's key folder there instead.
    """
    path = Path(settings.ORETRACE_LEDGER_KEY_PATH)
    if not path.exists():
        from oretrace.ledger.models import Checkpoint

        if Checkpoint.objects.exists():
            raise SigningKeyError(
                f"the ledger signing key {path} is missing, but this log has signed checkpoints: "
                "copy the log's key folder here (or set ORETRACE_LEDGER_KEY_PATH); a new key "
                "would sign checkpoints no verifier trusts"
            )
        write_once(path, Signer.generate(settings.ORETRACE_LEDGER_ORIGIN).skey)
    return load_signer(path)


def signers() -> list[Signer]:
    """Every key that signs new checkpoints: the current one, then any kept during rotation."""
    previous = [load_signer(Path(p)) for p in settings.ORETRACE_LEDGER_PREVIOUS_KEY_PATHS]
    return [log_signer(), *previous]


def log_verifier() -> Ed25519Verifier:
    return log_signer().verifier


def log_verifiers() -> list[Ed25519Verifier]:
    return [s.verifier for s in signers()]


def witness_verifiers() -> list[CosignatureVerifier]:
    """The witnesses configured in ``ORETRACE_LEDGER_WITNESSES`` (cosignature vkeys)."""
    verifiers = []
    for vkey in settings.ORETRACE_LEDGER_WITNESSES:
        try:
            verifier = parse_vkey(vkey)
        except NoteError as exc:
            raise SigningKeyError(f"ORETRACE_LEDGER_WITNESSES: {exc}") from None
        if not isinstance(verifier, CosignatureVerifier) or verifier.algorithm != COSIGNATURE_V1:
            raise SigningKeyError(
                f"ORETRACE_LEDGER_WITNESSES: {verifier.name} is not a cosignature key (type 0x04)"
            )
        verifiers.append(verifier)
    return verifiers


def witness_quorum(witnesses: int) -> int:
    """Cosignatures required of ``witnesses`` configured witnesses (``..._WITNESS_QUORUM``)."""
    configured = settings.ORETRACE_LEDGER_WITNESS_QUORUM
    if not witnesses:
        return 0
    if not 1 <= configured <= witnesses:  # the settings refuse this; a test may override one
        return default_quorum(witnesses)
    return int(configured)


def _link_key() -> bytes:
    path = Path(settings.ORETRACE_LEDGER_KEY_PATH).with_name("link.key")
    if not path.exists():
        write_secret(path, secrets.token_bytes(32))
    return base64.b64decode(path.read_text().strip())


def link_token(record_type: str, record_id: str) -> str:
    """The unguessable part of a record's public verification URL."""
    mac = hmac.new(_link_key(), f"{record_type}:{record_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:12]).decode()


def check_link_token(record_type: str, record_id: str, token: str) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters, which a URL may hold.
    return hmac.compare_digest(link_token(record_type, record_id).encode(), token.encode())
