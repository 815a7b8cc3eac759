"""The pager under lists (``web/_pager.html``): its links keep the list's filters."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def _pager(query: dict[str, str], number: int, rows: int = 30) -> str:
    page = Paginator(range(rows), 10).page(number)
    request = RequestFactory().get("/traceability/lots/", query)
    request.user = AnonymousUser()  # what the context processors read
    return render_to_string("web/_pager.html", {"page": page}, request=request)


def test_the_links_keep_the_filters_and_change_the_page():
    # when
    html = _pager({"flagged": "1", "page": "2"}, 2)
    # then
    assert 'href="?flagged=1&amp;page=1"' in html
    assert 'href="?flagged=1&amp;page=3"' in html
    assert "Page 2 of 3" in html


def test_first_page_has_no_newer_link_and_one_page_no_pager():
    html = _pager({}, 1)
    assert 'href="?page=2"' in html
    assert "Newer" not in html
    assert "pager" not in _pager({}, 1, rows=3)
