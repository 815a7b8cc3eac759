"""Checking an uploaded evidence file before it is stored: type by content, size, name.

Only formats that a phone or an office produces and that browsers show safely are accepted; the
type is read from the file's first bytes, never trusted from the name or the browser.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from oretrace.assessments.exceptions import EvidenceError

# extension -> (content type, magic prefixes)
ACCEPTED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "webp": ("image/webp", (b"RIFF",)),
}
_SAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


@dataclass(frozen=True)
class Checked:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return int(settings.ORETRACE_EVIDENCE_MAX_MB) * 1024 * 1024


def check(name: str, size: int, stream: Any) -> Checked:
    """Refuse anything but a non-empty PDF/JPEG/PNG/WebP whose content matches its name.

    ``stream`` is the uploaded binary file; it is read from the start and rewound.
    """
    clean = _SAFE_NAME.sub("_", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    extension = clean.rsplit(".", 1)[-1].lower() if "." in clean else ""
    if extension not in ACCEPTED:
        raise EvidenceError(
            f"{clean or 'the file'}: only PDF, JPEG, PNG or WebP files are accepted"
        )
    if size <= 0:
        raise EvidenceError(f"{clean}: the file is empty")
    limit = max_bytes()
    if size > limit:
        raise EvidenceError(
            f"{clean}: the file is {size / 1048576:.1f} MB; the limit is {limit // 1048576} MB"
        )
    stream.seek(0)
    head = stream.read(16)
    content_type, prefixes = ACCEPTED[extension]
    valid = any(head.startswith(p) for p in prefixes)
    if extension == "webp":
        valid = valid and head[8:12] == b"WEBP"
    if not valid:
        raise EvidenceError(f"{clean}: the content is not a {extension.upper()} file")
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(65536), b""):
        digest.update(chunk)
    stream.seek(0)
    return Checked(clean[:200], extension, content_type, size, digest.hexdigest())
