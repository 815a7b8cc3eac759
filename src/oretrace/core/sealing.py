"""A ring of keys kept outside the database that seals texts at rest (AES-256-GCM).

The keys are files in one folder named by a setting (mode 0600, folder 0700), one per key,
named by the key id; the newest seals every new text, older ones still open what they sealed.
A ``KeyRing`` is that folder and what it is for: each app that keeps personal data sealed has
one of its own (children's records: ``ORETRACE_PROGRAMME_KEY_DIR``), so a leak of one folder
opens nothing of the other app. Every ciphertext is bound to a context (the row it belongs to),
so a ciphertext copied into another row does not open.
"""

from __future__ import annotations

import base64
import contextlib
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

from oretrace.core.exceptions import OretraceError

NONCE = 12
KEY_SUFFIX = ".key"
_KEY_ID = re.compile(r"^k\d{8}T\d{12}[a-f0-9]{4}$")


@dataclass(frozen=True)
class Sealed:
    """A ciphertext (nonce first) and the id of the key that sealed it."""

    key_id: str
    data: bytes


def write_once(path: Path, text: str) -> None:
    """Create a secret file holding ``text``, mode 0600 in a folder of mode 0700, unless
    another process just did: written aside and linked into place, so that the first writer
    wins and no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
    try:
        os.link(temporary, path)  # fails if the file exists: the first writer wins
    except FileExistsError:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def write_secret(path: Path, secret: bytes) -> None:
    """Write a new secret file (``secret`` in base64) once, as ``write_once``."""
    write_once(path, base64.b64encode(secret).decode())


@dataclass(frozen=True)
class KeyRing:
    """The keys in the folder named by the setting ``setting``, sealing texts for ``purpose``
    (a word that names the keys in errors and binds each ciphertext to its use)."""

    setting: str
    purpose: str
    error: type[OretraceError] = OretraceError
    # The model whose rows hold this ring's texts (``app_label.Model``; a row names its key in
    # ``key_id``, and one with ``purged`` set holds none). With no key in the folder while such
    # rows exist, the first key is refused, not made: the folder is missing (a new node, a
    # restore without it), and a new key would seal new texts while the old stay unreadable.
    sealed_model: str = ""

    def folder(self) -> Path:
        return Path(getattr(settings, self.setting))

    def read_secret(self, path: Path) -> bytes:
        try:
            secret = base64.b64decode(path.read_text().strip(), validate=True)
        except (OSError, ValueError) as exc:
            raise self.error(f"cannot read the {self.purpose} key {path}: {exc}") from None
        if len(secret) != 32:
            raise self.error(f"the {self.purpose} key {path} is not 32 bytes of base64")
        return secret

    def key_ids(self) -> list[str]:
        """The ids of the keys in the folder, oldest first (ids sort by their date)."""
        folder = self.folder()
        if not folder.is_dir():
            return []
        names = (p.name.removesuffix(KEY_SUFFIX) for p in folder.glob(f"*{KEY_SUFFIX}"))
        return sorted(n for n in names if _KEY_ID.match(n))

    def new_key(self) -> str:
        """Make a new key, which seals every text from now on; its id."""
        existing = self.key_ids()
        while True:  # ids sort by time, to the microsecond: the new key must sort last
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
            key_id = f"k{stamp}{secrets.token_hex(2)}"
            if not existing or key_id > existing[-1]:
                break
        write_secret(self.folder() / f"{key_id}{KEY_SUFFIX}", AESGCM.generate_key(bit_length=256))
        return key_id

    def current_key_id(self) -> str:
        """The newest key's id; the first key is made on first use, unless texts are already
        sealed (``sealed_model``): then the folder is missing, and the error says so."""
        ids = self.key_ids()
        if ids:
            return ids[-1]
        if self.sealed_model and self._texts_sealed():
            raise self.error(
                f"no {self.purpose} key in {self.folder()}, but {self.purpose} texts are sealed: "
                f"restore the key folder from its backup ({self.setting})"
            )
        return self.new_key()

    def _texts_sealed(self) -> bool:
        # By name from the app registry: the models import the modules that hold a ring.
        model = apps.get_model(self.sealed_model)
        rows = model.objects.exclude(key_id="")  # a row made before its text is sealed
        if any(f.name == "purged" for f in model._meta.get_fields()):
            rows = rows.filter(purged=False)
        return bool(rows.exists())

    def key(self, key_id: str) -> bytes:
        if not _KEY_ID.match(key_id):
            raise self.error(f"{key_id!r} is not a {self.purpose} key id")
        path = self.folder() / f"{key_id}{KEY_SUFFIX}"
        if not path.exists():
            raise self.error(
                f"the {self.purpose} key {key_id} is not in {self.folder()}: restore it from "
                f"the backup of the key folder ({self.setting})"
            )
        return self.read_secret(path)

    def _context(self, context: str) -> bytes:
        # "oretrace-grievance-case:42": the bytes grievances bound their texts to from the start
        return f"oretrace-{self.purpose}-{context}".encode()

    def seal(self, text: str, *, context: str) -> Sealed:
        """``text`` sealed with the current key, bound to ``context``."""
        key_id = self.current_key_id()
        nonce = secrets.token_bytes(NONCE)
        data = AESGCM(self.key(key_id)).encrypt(nonce, text.encode(), self._context(context))
        return Sealed(key_id, nonce + data)

    def unseal(self, sealed: Sealed, *, context: str) -> str:
        """The text of a ciphertext sealed for ``context``; the ring's error when it does not
        open (altered, or sealed for another row)."""
        if not sealed.data:
            return ""
        nonce, data = sealed.data[:NONCE], sealed.data[NONCE:]
        try:
            plain = AESGCM(self.key(sealed.key_id)).decrypt(nonce, data, self._context(context))
        except InvalidTag:
            where = context.replace(":", " ")
            raise self.error(
                f"a {self.purpose} text of {where} does not open with key {sealed.key_id}: "
                "it was altered or belongs to another case"
            ) from None
        return plain.decode()
