"""HTML → PDF with WeasyPrint, offline: the stylesheet is inlined and nothing is fetched."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string

from oretrace.assessments.exceptions import AssessmentError

STYLESHEET = "web/oretrace.css"


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Refuse every URL: a report never loads anything from the network or the disk."""
    raise AssessmentError(f"the PDF renderer does not fetch {url}")


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest) -> bytes:
    from weasyprint import CSS, HTML  # imported on use: it loads Pango

    path = finders.find(STYLESHEET)
    css = [CSS(filename=str(path))] if path else []
    html = render_to_string(template, {**context, "for_pdf": True}, request=request)
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(stylesheets=css)  # type: ignore[no-any-return]
