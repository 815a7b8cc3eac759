"""The site's own error pages (400, 403, 404, 500) and /favicon.ico.

The pages are in the reader's language (LocaleMiddleware has already chosen it) and in the site's
look. Rendering an error page must never fail in turn: 400/403/404 render with the request's
context (the menu of a signed-in member) and fall back to the bare page if that breaks; 500 never
touches the database or the request's context, since either may be what failed.
"""

from __future__ import annotations

import logging

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
)
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import get_language

logger = logging.getLogger("oretrace.web")

# The last resort when even the 500 template cannot be rendered: no template, no translation.
BARE_500 = (
    b"<!doctype html><html lang='en'><meta charset='utf-8'>"
    b"<meta name='viewport' content='width=device-width, initial-scale=1'>"
    b"<title>Server error \xc2\xb7 oretrace</title><h1>Server error</h1>"
    b"<p>Something went wrong on our side. Please try again later.</p></html>"
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _page(request: HttpRequest, status: int, template: str) -> HttpResponse:
    """The error page with the request's context; without it if the context itself fails."""
    if _is_api(request):
        from oretrace.core.problems import problem

        kinds = {400: "bad-request", 403: "forbidden", 404: "not-found"}
        return problem(request, status, _api_detail(status), kind=kinds[status])
    try:
        body = render_to_string(template, {"status": status}, request=request)
    except Exception:
        logger.exception("the %s page failed with the request's context; rendering it bare", status)
        body = render_to_string(template, {"status": status, "bare": True})
    return HttpResponse(body, status=status)


def _api_detail(status: int) -> str:
    from django.utils.translation import gettext as _

    return {
        400: _("The request could not be understood."),
        403: _("You are not allowed to do this."),
        404: _("There is nothing at this address."),
    }[status]


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, "web/errors/400.html")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, "web/errors/403.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token (often: the page was open for hours)."""
    logger.warning("CSRF refused on %s %s: %s", request.method, request.path, reason)
    return _page(request, 403, "web/errors/403.html")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, "web/errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: a template of its own with no request context, no database, no session."""
    try:
        body = render_to_string(
            "web/errors/500.html", {"LANGUAGE_CODE": get_language() or "en", "bare": True}
        )
    except Exception:
        logger.exception("the 500 page could not be rendered; answering the bare text")
        return HttpResponseServerError(BARE_500)
    return HttpResponseServerError(body)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: point them at the static icon."""
    return HttpResponsePermanentRedirect(static("web/favicon.svg"))
