"""Uploads read within limits: streamed to disk while received, size checked before reading.

Django hands each uploaded file to the handlers in ``FILE_UPLOAD_HANDLERS`` chunk by chunk;
`BoundedUploadHandler` counts the bytes of each request as they arrive and stops the upload
once they pass ``ORETRACE_UPLOAD_MAX_MB``, before anything more is written. Files above
``FILE_UPLOAD_MAX_MEMORY_SIZE`` are streamed to a temporary file by Django's own handler, so a
large upload never sits in the web process's memory. `read_upload` is how a view or the API
takes an upload's bytes: the size is checked first, and never more than the limit is read.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _

from oretrace.core.exceptions import OretraceError

MB = 1024 * 1024


class UploadTooLarge(OretraceError):
    """An uploaded file is larger than the limit for what it is used for."""

    code = "upload-too-large"


def request_limit() -> int:
    """Largest request that carries files, in bytes (``ORETRACE_UPLOAD_MAX_MB``)."""
    return int(settings.ORETRACE_UPLOAD_MAX_MB) * MB


def body_limit() -> int:
    """Largest request body without files, in bytes (``ORETRACE_BODY_MAX_KB``)."""
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def _size_text(size: int) -> str:
    """2.5 MB, 512 KB, 1,000 bytes: the limit as set, never rounded down to zero."""
    if size >= MB:
        return f"{size / MB:,.1f}".removesuffix(".0") + " MB"
    if size % 1024 == 0:
        return f"{size // 1024:,} KB"
    return f"{size:,} bytes"


def read_upload(upload: Any, *, limit: int, what: str | None = None) -> bytes:
    """The bytes of ``upload`` (a Django ``UploadedFile``), refused with `UploadTooLarge`
    before reading when its size is over ``limit``; never more than ``limit`` bytes are read."""
    name = what or getattr(upload, "name", None) or _("the file")
    size = getattr(upload, "size", None)
    message = _("%(name)s is larger than %(limit)s, the limit for this upload") % {
        "name": name,
        "limit": _size_text(limit),
    }
    if size is not None and size > limit:
        raise UploadTooLarge(message)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(message)
    return bytes(data)


class BoundedUploadHandler(FileUploadHandler):
    """Counts the bytes of a request's uploaded files as they arrive; over the limit, stops."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > request_limit():
            # Django turns this into a 400 unless caught; the request-limit middleware answers
            # it with a 413 naming the limit.
            raise RequestDataTooBig(
                f"the uploaded files are larger than {_size_text(request_limit())}"
            )
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def keep_upload(data: bytes, filename: str, folder: str) -> str:
    """Keep an uploaded file for the worker that reads it, under ``folder`` of MEDIA_ROOT and
    named by its digest and a safe form of its name; returns the path relative to MEDIA_ROOT."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename).name)[-100:] or "upload"
    relative = f"{folder}/{hashlib.sha256(data).hexdigest()[:16]}-{safe}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return relative
