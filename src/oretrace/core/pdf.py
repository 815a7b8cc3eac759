"""HTML → PDF with WeasyPrint, offline: the stylesheet is inlined and nothing is fetched.

Images a report carries (QR codes, pictures) are inline ``data:`` URIs; any other URL — the
network, the disk — is refused and stops the rendering.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string

STYLESHEET = "web/oretrace.css"


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest) -> bytes:
    """The template rendered with ``for_pdf`` set (pages leave out their links and forms)."""
    return html_to_pdf(render_to_string(template, {**context, "for_pdf": True}, request=request))


def html_to_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML  # imported on use: it loads Pango
    from weasyprint.urls import URLFetcher

    inline_only = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    path = finders.find(STYLESHEET)
    css = [CSS(filename=str(path))] if path else []
    return HTML(string=html, url_fetcher=inline_only).write_pdf(stylesheets=css)  # type: ignore[no-any-return]
