"""Serving an uploaded file back: evidence, photos, licence documents, training material.

Every such download is answered by `stored_file_response`, so that each one carries the same
safety headers: the file is an attachment unless it is a raster image asked for inline, its type
is the one recorded when it was checked (``nosniff``: the browser may not guess another), and
its own Content-Security-Policy runs it sandboxed with nothing to load, should a browser open
it as a page. The view keeps what is its own: which file the member may see, and its name.
"""

from __future__ import annotations

import io
from typing import Protocol

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

# The types a browser shows as a picture, never as a page (no SVG: it runs scripts).
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
# A file opened on its own runs sandboxed: no scripts, forms or plug-ins, nothing loaded but
# the picture itself, never framed. The site's own policy (settings.SECURE_CSP) is for pages.
SANDBOX_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
)


def stored_file_response(
    stored: FieldFile | bytes,
    *,
    filename: str,
    content_type: str | None = None,
    inline: bool = False,
) -> FileResponse:
    """The file ``stored`` (a model's file field, or bytes read and checked already) as a
    download named ``filename``.

    ``content_type`` is the type recorded at upload; without one it is guessed from
    ``filename``. ``inline`` shows a raster image in the browser (a photo of a finding);
    any other type is an attachment whatever is asked. A file field with no file is a 404.
    """
    if isinstance(stored, bytes):
        body: io.BufferedIOBase | FieldFile = io.BytesIO(stored)
    elif not stored:
        raise Http404
    else:
        body = stored.open("rb")
    response = FileResponse(
        body,
        as_attachment=not (inline and content_type in INLINE_TYPES),
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    return response


class KeptFile(Protocol):
    """An uploaded file kept with what was recorded when it was checked (the audits' and
    programmes' evidence files: ``audits.models.files.StoredFile`` and its kin)."""

    @property
    def file(self) -> FieldFile: ...

    @property
    def original_name(self) -> str: ...

    @property
    def content_type(self) -> str: ...

    @property
    def is_image(self) -> bool: ...


def kept_file_response(item: KeptFile) -> FileResponse:
    """``item`` under the name and type it was uploaded with; a photo is shown inline."""
    return stored_file_response(
        item.file,
        filename=item.original_name,
        content_type=item.content_type,
        inline=item.is_image,
    )
