"""Grievance content sealed at rest with keys kept outside the database.

Reports, replies, internal notes and the reporter's view of an outcome are stored only as
AES-256-GCM ciphertexts, each beside the id of the key that sealed it. The keys are files in
``ORETRACE_GRIEVANCE_KEY_DIR`` (mode 0600, folder 0700), one per key, named by the key id;
the newest seals every new text, older ones still open what they sealed. Rotation: make a new
key (``oretrace grievances new-key``), re-seal the old rows (``oretrace grievances reseal``),
then archive the old key files (docs/user-guide/grievances.md). The key ring itself is
``core.sealing.KeyRing``, shared with the children's records of community programmes (which
keep their own folder).

Each ciphertext is bound to its case (the associated data names it), so a ciphertext copied
into another case's row does not open. A second secret in the same folder, ``receipt.pepper``,
keys the slow hash of receipts: a copy of the database alone cannot test guesses of receipts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from oretrace.core.sealing import KEY_SUFFIX, NONCE, KeyRing, Sealed, write_secret
from oretrace.grievances.exceptions import SealError

__all__ = [
    "KEY_SUFFIX",
    "NONCE",
    "PEPPER",
    "PHONE_PEPPER",
    "Sealed",
    "current_key_id",
    "key_dir",
    "key_ids",
    "new_key",
    "phone_digest",
    "receipt_digest",
    "seal",
    "unseal",
]

RING = KeyRing("ORETRACE_GRIEVANCE_KEY_DIR", "grievance", SealError, "grievances.Message")
PEPPER = "receipt.pepper"
PHONE_PEPPER = "phone.pepper"
# scrypt's cost: ~16 MB and some tens of milliseconds per receipt, so guessing is slow.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}


def key_dir() -> Path:
    return RING.folder()


def key_ids() -> list[str]:
    """The ids of the keys in the key folder, oldest first (ids sort by their date)."""
    return RING.key_ids()


def new_key() -> str:
    """Make a new key, which seals every text from now on; its id."""
    return RING.new_key()


def current_key_id() -> str:
    """The newest key's id; the first key is made on first use (refused, ``SealError``, where
    texts are sealed but the key folder is missing: restore it instead)."""
    return RING.current_key_id()


def seal(text: str, *, case_id: int) -> Sealed:
    """``text`` sealed with the current key, bound to the case ``case_id``."""
    return RING.seal(text, context=f"case:{case_id}")


def unseal(sealed: Sealed, *, case_id: int) -> str:
    """The text of a ciphertext sealed for ``case_id``; ``SealError`` when it does not open."""
    return RING.unseal(sealed, context=f"case:{case_id}")


def _pepper(name: str = PEPPER) -> bytes:
    path = key_dir() / name
    if not path.exists():
        write_secret(path, secrets.token_bytes(32))
    return RING.read_secret(path)


def phone_digest(number: str) -> str:
    """A keyed hash of a phone number (its digits, with the + of an international number):
    what threads an SMS reporter's messages into one case; the number is never stored."""
    kept = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    return hmac.new(_pepper(PHONE_PEPPER), kept.encode(), hashlib.sha256).hexdigest()


def receipt_digest(receipt: str) -> str:
    """The slow, keyed hash of a receipt's 16 digits: what the database keeps of it."""
    digest = hashlib.scrypt(receipt.encode(), salt=_pepper(), **_SCRYPT)
    return digest.hex()
