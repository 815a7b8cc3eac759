"""The site's own 400/403/404/500 pages, in the reader's language, and /favicon.ico."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path

from oretrace.core.exceptions import NotFound
from oretrace.urls import urlpatterns as site_patterns
from oretrace.web import error_pages


def _boom(request):
    raise RuntimeError("the database fell over")


def _forbid(request):
    raise PermissionDenied


def _missing(request):
    raise NotFound("no lot 7 for this member")  # a query's answer, let through by the view


# The site's URLs plus three views that fail, for the 403, 404 and 500 pages.
urlpatterns = [
    path("test-boom/", _boom),
    path("test-forbid/", _forbid),
    path("test-missing/", _missing),
    *site_patterns,
]
handler400 = error_pages.bad_request
handler403 = error_pages.forbidden
handler404 = error_pages.not_found
handler500 = error_pages.server_error

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("oretrace.web.tests.test_error_pages"),
]
NOT_FOUND = {
    "en": "Page not found",
    "fr": "Page introuvable",
    "hi": "पेज नहीं मिला",
}


@override_settings(DEBUG=False)
@pytest.mark.parametrize("language", ["en", "fr", "hi"])
def test_404_for_an_anonymous_reader_in_their_language(language):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert NOT_FOUND[language] in html
    assert 'href="/static/web/oretrace.css"' in html  # the site's look
    assert 'rel="icon"' in html


@override_settings(DEBUG=False)
def test_a_domain_not_found_a_view_lets_through_is_the_404_page():
    response = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/test-missing/")
    assert response.status_code == 404
    html = response.content.decode()
    assert NOT_FOUND["fr"] in html
    assert "lot 7" not in html  # what the query said stays in the server


@override_settings(DEBUG=False)
def test_404_for_a_member_keeps_the_menu(web_a):
    web_a.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    response = web_a.get("/facilities/999999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert 'class="menu"' in html
    assert "Tableau de bord" in html  # the member's navigation


@override_settings(DEBUG=False)
def test_403_in_the_readers_language():
    response = Client(HTTP_ACCEPT_LANGUAGE="hi").get("/test-forbid/")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="hi">' in html
    assert "अनुमति नहीं है" in html


def test_a_refused_csrf_token_gets_our_403_page():
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="fr")
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Non autorisé" in html


@override_settings(DEBUG=False)
@pytest.mark.parametrize(("language", "title"), [("fr", "Erreur du serveur"), ("hi", "सर्वर त्रुटि")])
def test_500_in_the_readers_language_without_the_request_context(language, title):
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    response = client.get("/test-boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert title in html
    assert "the database fell over" not in html  # no internals shown


def test_500_page_renders_with_no_database_and_no_request(monkeypatch, django_db_blocker):
    """The 500 page uses neither the database nor the request: it renders with both broken."""

    class Broken:
        def __getattr__(self, name):
            raise RuntimeError(f"request.{name} must not be used")

    with django_db_blocker.block():
        response = error_pages.server_error(Broken())  # type: ignore[arg-type]
    assert response.status_code == 500
    assert b"oretrace" in response.content


def test_500_falls_back_to_bare_text_when_the_template_breaks(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("no manifest entry for web/oretrace.css")

    monkeypatch.setattr(error_pages, "render_to_string", broken)
    response = error_pages.server_error(None)  # type: ignore[arg-type]
    assert response.status_code == 500
    assert response.content == error_pages.BARE_500


@override_settings(DEBUG=False)
def test_api_404_stays_a_problem_document():
    response = Client().get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert json.loads(response.content)["status"] == 404


def test_favicon_points_at_the_static_icon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/web/favicon.svg")
    page = Client().get("/login/").content.decode()
    assert '<link rel="icon" href="/static/web/favicon.svg" type="image/svg+xml">' in page
