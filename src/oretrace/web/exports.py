"""CSV/XLSX downloads of every list page, from the list's own query.

A list page describes its columns once (`ListExport`: the headers the reader sees, in their
language, and how each cell reads a row: names, not codes) and, before it pages, hands its
filtered query to `ListExport.response` (or, for a page that does not page, to
`ListExport.download_or_page` with its template and context). A request with ``?export=csv``
or ``?export=xlsx`` (the same filters as the page, no page number) then gets the whole selection
as a file: the rows the member may see and the filters select, not only the page shown. The
page offers the two links with ``{% export_links %}`` (``web/templatetags/oretrace.py``).

Memory stays bounded: CSV is streamed in chunks from a database iterator, whatever its
length; XLSX is written row by row into a temporary file, up to
``ORETRACE_EXPORT_XLSX_MAX_ROWS`` rows (beyond that the reader is sent back to the list with
the way out: narrow the filters, or take the CSV).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import ngettext

from oretrace.core import tabular

KINDS = ("csv", "xlsx")
EXPORT_PARAM = "export"
READY_PARAM = "ready"  # set by web/busy.js, answered as a cookie: "the file is here"
READY = re.compile(r"[a-z0-9]{1,20}")
ITERATOR_CHUNK = 1000


@dataclass(frozen=True)
class Column:
    """One column of a list's download: its header (a translatable text) and its cell."""

    header: str | Promise
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class ListExport:
    """How a list page is written out: a file name and the columns the reader sees."""

    name: str  # the file's name before the date, and the sheet's title: "declarations"
    columns: Sequence[Column]

    def response(
        self,
        request: HttpRequest,
        rows: QuerySet[Any] | Iterable[Any],
        *,
        count: Callable[[], int] | None = None,
    ) -> HttpResponse | None:
        """The download the request asks for (``?export=csv|xlsx``), or None for the page.

        ``rows`` is the list's own query (what the member may see, filtered as the page is);
        a generator of rows needs ``count``, which says how many it yields, so that an XLSX
        too long for memory is refused before it is read.
        """
        kind = request.GET.get(EXPORT_PARAM)
        if kind is None:
            return None
        if kind not in KINDS:
            messages.error(request, _unknown_kind(kind))
            return redirect(_list_url(request))
        header = [str(c.header) for c in self.columns]
        filename = f"{self.name}-{timezone.localdate().isoformat()}.{kind}"
        if kind == "csv":
            return answered(request, _csv_response(header, self._cells(rows), filename))
        limit = int(settings.ORETRACE_EXPORT_XLSX_MAX_ROWS)
        if count is not None:
            total = count()
        elif isinstance(rows, QuerySet):
            total = rows.count()
        else:
            rows = _as_list(rows)
            total = len(rows)
        if total > limit:
            messages.error(request, _too_long(total, limit))
            return redirect(_list_url(request))
        data = tabular.spooled_xlsx(self.name, header, self._cells(rows))
        return answered(
            request,
            FileResponse(
                data,
                as_attachment=True,
                filename=filename,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        )

    def download_or_page(
        self,
        request: HttpRequest,
        rows: QuerySet[Any] | Iterable[Any],
        template: str,
        context: Mapping[str, Any],
    ) -> HttpResponse:
        """The download the request asks for (see `response`), else the list page: ``template``
        rendered with ``context``."""
        download = self.response(request, rows)
        return download if download is not None else render(request, template, context)

    def rows(self, rows: QuerySet[Any] | Iterable[Any]) -> list[list[Any]]:
        """The cells of every row, as written (for tests and callers that need them whole)."""
        return list(self._cells(rows))

    def _cells(self, rows: QuerySet[Any] | Iterable[Any]) -> Iterator[list[Any]]:
        if isinstance(rows, QuerySet):
            rows = rows.iterator(chunk_size=ITERATOR_CHUNK)
        for row in rows:
            yield [column.value(row) for column in self.columns]


def _as_list(rows: Iterable[Any]) -> Sequence[Any]:
    return rows if isinstance(rows, Sequence) else list(rows)


def _csv_response(header: list[str], cells: Iterator[list[Any]], filename: str) -> HttpResponse:
    language = translation.get_language()

    def chunks() -> Iterator[bytes]:
        # The rows are read while the response is sent: in the reader's language still.
        with translation.override(language):
            yield from tabular.csv_chunks(header, cells)

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _as_response(response)


def answered(request: HttpRequest, response: HttpResponseBase) -> HttpResponse:
    """A file, with the cookie that tells the page's "preparing" notice (web/busy.js) that it
    has come: for every download that takes a while (lists, PDF reports)."""
    token = request.GET.get(READY_PARAM, "")
    if READY.fullmatch(token):
        response.set_cookie("oretrace_download", token, max_age=60, samesite="Lax")
    return _as_response(response)


def pdf_download(
    request: HttpRequest, template: str, context: dict[str, Any], filename: str
) -> HttpResponse:
    """A printable page (``template``) as a PDF attachment named ``filename``, answered like
    every download (``answered``)."""
    from oretrace.core.pdf import render_pdf  # WeasyPrint loads Pango: only when asked

    response = HttpResponse(render_pdf(template, context, request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answered(request, response)


def _as_response(response: HttpResponseBase) -> HttpResponse:
    """A streamed response where the apps' views are typed to return an HttpResponse
    (Django serves any HttpResponseBase alike)."""
    return cast(HttpResponse, response)


def _list_url(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop(EXPORT_PARAM, None)
    query.pop(READY_PARAM, None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _unknown_kind(kind: str) -> str:
    return translation.gettext("“%(kind)s” is not a download format; choose CSV or XLSX.") % {
        "kind": kind[:20]
    }


def _too_long(total: int, limit: int) -> str:
    return ngettext(
        "This selection holds %(total)s row; an XLSX download holds at most %(limit)s. "
        "Narrow the filters, or download the CSV, which has no limit.",
        "This selection holds %(total)s rows; an XLSX download holds at most %(limit)s. "
        "Narrow the filters, or download the CSV, which has no limit.",
        total,
    ) % {"total": total, "limit": limit}


def export_query(request: HttpRequest, kind: str) -> str:
    """The query string of the list's download: the page's filters, no page number."""
    query = request.GET.copy()
    query.pop("page", None)
    query[EXPORT_PARAM] = kind
    return query.urlencode()
