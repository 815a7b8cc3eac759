"""Grievance content sealed at rest with keys kept outside the database.

Reports, replies, internal notes and the reporter's view of an outcome are stored only as
AES-256-GCM ciphertexts, each beside the id of the key that sealed it. The keys are files in
``ORETRACE_GRIEVANCE_KEY_DIR`` (mode 0600, folder 0700), one per key, named by the key id;
the newest seals every new text, older ones still open what they sealed. Rotation: make a new
key (``oretrace grievances new-key``), re-seal the old rows (``oretrace grievances reseal``),
then archive the old key files (docs/user-guide/grievances.md).

Each ciphertext is bound to its case (the associated data names it), so a ciphertext copied
into another case's row does not open. A second secret in the same folder, ``receipt.pepper``,
keys the slow hash of receipts: a copy of the database alone cannot test guesses of receipts.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from oretrace.grievances.exceptions import SealError

NONCE = 12
KEY_SUFFIX = ".key"
PEPPER = "receipt.pepper"
PHONE_PEPPER = "phone.pepper"
_KEY_ID = re.compile(r"^k\d{8}T\d{12}[a-f0-9]{4}$")
# scrypt's cost: ~16 MB and some tens of milliseconds per receipt, so guessing is slow.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}


@dataclass(frozen=True)
class Sealed:
    """A ciphertext (nonce first) and the id of the key that sealed it."""

    key_id: str
    data: bytes


def key_dir() -> Path:
    return Path(settings.ORETRACE_GRIEVANCE_KEY_DIR)


def _write_secret(path: Path, secret: bytes) -> None:
    """Write a new secret file with mode 0600, unless another process just did."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(secret).decode() + "\n")
    try:
        os.link(temporary, path)  # fails if the file exists: the first writer wins
    except FileExistsError:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _read_secret(path: Path) -> bytes:
    try:
        secret = base64.b64decode(path.read_text().strip(), validate=True)
    except (OSError, ValueError) as exc:
        raise SealError(f"cannot read the grievance key {path}: {exc}") from None
    if len(secret) != 32:
        raise SealError(f"the grievance key {path} is not 32 bytes of base64")
    return secret


def key_ids() -> list[str]:
    """The ids of the keys in the key folder, oldest first (ids sort by their date)."""
    folder = key_dir()
    if not folder.is_dir():
        return []
    names = (p.name.removesuffix(KEY_SUFFIX) for p in folder.glob(f"*{KEY_SUFFIX}"))
    return sorted(n for n in names if _KEY_ID.match(n))


def new_key() -> str:
    """Make a new key, which seals every text from now on; its id."""
    existing = key_ids()
    while True:  # ids sort by time, to the microsecond: the new key must sort last
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
        key_id = f"k{stamp}{secrets.token_hex(2)}"
        if not existing or key_id > existing[-1]:
            break
    _write_secret(key_dir() / f"{key_id}{KEY_SUFFIX}", AESGCM.generate_key(bit_length=256))
    return key_id


def current_key_id() -> str:
    """The newest key's id; the first key is made on first use.

    Refuses (``SealError``) to make a first key where texts are already sealed: the key folder
    is missing (a new node, a restore without it), and a new key would seal new texts while
    the old ones stay unreadable. Restore the folder instead.
    """
    ids = key_ids()
    if ids:
        return ids[-1]
    # By name from the app registry: the models import this module.
    message = apps.get_model("grievances", "Message")
    if message.objects.filter(purged=False).exists():
        raise SealError(
            f"no grievance key in {key_dir()}, but grievance texts are sealed: restore the key "
            "folder from its backup (ORETRACE_GRIEVANCE_KEY_DIR)"
        )
    return new_key()


def _key(key_id: str) -> bytes:
    if not _KEY_ID.match(key_id):
        raise SealError(f"{key_id!r} is not a grievance key id")
    path = key_dir() / f"{key_id}{KEY_SUFFIX}"
    if not path.exists():
        raise SealError(
            f"the grievance key {key_id} is not in {key_dir()}: restore it from the backup of "
            "the key folder (ORETRACE_GRIEVANCE_KEY_DIR)"
        )
    return _read_secret(path)


def _context(case_id: int) -> bytes:
    return f"oretrace-grievance-case:{case_id}".encode()


def seal(text: str, *, case_id: int) -> Sealed:
    """``text`` sealed with the current key, bound to the case ``case_id``."""
    key_id = current_key_id()
    nonce = secrets.token_bytes(NONCE)
    data = AESGCM(_key(key_id)).encrypt(nonce, text.encode(), _context(case_id))
    return Sealed(key_id, nonce + data)


def unseal(sealed: Sealed, *, case_id: int) -> str:
    """The text of a ciphertext sealed for ``case_id``; ``SealError`` when it does not open."""
    if not sealed.data:
        return ""
    nonce, data = sealed.data[:NONCE], sealed.data[NONCE:]
    try:
        plain = AESGCM(_key(sealed.key_id)).decrypt(nonce, data, _context(case_id))
    except InvalidTag:
        raise SealError(
            f"a text of case {case_id} does not open with key {sealed.key_id}: it was altered "
            "or belongs to another case"
        ) from None
    return plain.decode()


def _pepper(name: str = PEPPER) -> bytes:
    path = key_dir() / name
    if not path.exists():
        _write_secret(path, secrets.token_bytes(32))
    return _read_secret(path)


def phone_digest(number: str) -> str:
    """A keyed hash of a phone number (its digits, with the + of an international number):
    what threads an SMS reporter's messages into one case; the number is never stored."""
    kept = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    return hmac.new(_pepper(PHONE_PEPPER), kept.encode(), hashlib.sha256).hexdigest()


def receipt_digest(receipt: str) -> str:
    """The slow, keyed hash of a receipt's 16 digits: what the database keeps of it."""
    digest = hashlib.scrypt(receipt.encode(), salt=_pepper(), **_SCRYPT)
    return digest.hex()
