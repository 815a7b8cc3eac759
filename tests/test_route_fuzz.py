"""Errors are always clear: every URL pattern and API operation, fed malformed input, answers
a 4xx (the API a problem document naming the problem), never a 500.

The routes come from Django's URL resolver and the API's OpenAPI document (``route_world``), so
a new route is fuzzed without being listed. A few cases per route keep this fast:

- identifiers: a huge integer, a negative one, text, unicode and a path traversal, in place of
  each URL parameter in turn (the others stay valid, so the bad one is what is tested);
- bodies: invalid JSON, JSON of the wrong shape, missing fields, every field of the wrong type,
  the wrong content type, text that is not UTF-8; a form with odd values for the web;
- query strings: paging and filters that are not numbers.

Body size and nesting depth are tested with the upload limits, not here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from route_world import (
    WRITE_METHODS,
    World,
    api_operations,
    fill,
    fill_api,
    isolated,
    web_patterns,
)

pytestmark = pytest.mark.django_db

BAD_IDS = (
    "99999999999999999999999",
    "-1",
    "abc",
    "%C3%A9%E2%82%AC",  # é€
    "..%2F..%2Fetc%2Fpasswd",
)
BAD_QUERY = "?limit=-5&offset=abc&page=x&status=%00&q=%FF&year=99999999999999999999&family=??"
# A JSON object whose every usual field has the wrong type.
WRONG_TYPES = {
    name: {"nested": [1]}
    for name in (
        "name",
        "kind",
        "country",
        "roles",
        "email",
        "status",
        "names",
        "facility_id",
        "duplicate_id",
        "supplier_ids",
        "declaration_id",
        "standard_id",
        "due_on",
        "value",
        "note",
        "yaml",
        "reporting_year",
        "family",
        "effective_on",
        "scheme",
        "title",
        "criterion_codes",
        "expires_at",
        "queue_reviews",
    )
}
BAD_FORM = {
    "action": "\u202e",
    "do": "nope",
    "status": "∞",
    "name": "x" * 5000,
    "kind": "<script>",
    "country": "ZZZ",
    "facility_id": "-1",
    "duplicate_id": "abc",
    "supplier": "99999999999999999999999",
    "suppliers": ["x", "-1"],
    "declaration": "1e9",
    "request": "..",
    "names": "\x01",
    "reporting_year": "MMXXVI",
    "due_date": "2026-02-30",
    "effective_date": "yesterday",
    "value": "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"),
    "version": "1\x00",
    "membership": "abc",
    "expires_at": "never",
    "text": "nul \x00 byte",
    "email": "a\x00@b.example",
    "document": "{",
    "section": "?",
    "code": "../..",
}


def _bodies() -> Iterator[tuple[str, bytes, str]]:
    """(what, body, content type) of the malformed bodies every write operation gets."""
    yield "invalid JSON", b'{"name": ', "application/json"
    yield "a list for an object", b"[1, 2]", "application/json"
    yield "missing fields", b"{}", "application/json"
    yield (
        "a NUL character",
        json.dumps(dict.fromkeys(WRONG_TYPES, "x\x00y")).encode(),
        ("application/json"),
    )
    yield "wrong types", json.dumps(WRONG_TYPES).encode(), "application/json"
    yield "wrong content type", b'{"name": "x"}', "text/plain"
    yield "not UTF-8", b'{"name": "\xff\xfe\xe9"}', "application/json"
    yield "form for JSON", b"name=x&kind=y", "application/x-www-form-urlencoded"


def _is_problem(response: Any) -> bool:
    if response.get("Content-Type") != "application/problem+json":
        return False
    body = response.json()
    return bool(body.get("detail")) and body.get("status") == response.status_code


def _check(problems: list[str], what: str, send: Any, *, api: bool) -> None:
    with isolated():
        try:
            response = send()
        except Exception as exc:  # the test client re-raises what would be a 500
            problems.append(f"{what}: 500 ({type(exc).__name__}: {str(exc)[:200]})")
            return
    status = response.status_code
    if status >= 500:
        problems.append(f"{what}: {status}")
    elif api and status >= 400 and not _is_problem(response):
        problems.append(f"{what}: {status} is not a problem document naming the problem")


def _admin(world: World, org: str = "brightline") -> Any:
    return world.member(org, "admin")


def test_every_api_operation_answers_malformed_input_without_a_500(world):
    client = world.api(_admin(world))
    problems: list[str] = []
    for method, path in api_operations():
        call = getattr(client, method.lower())
        params = [p.split(":")[-1] for p in _params(path)]
        for name in params:
            for bad in BAD_IDS:
                url = fill_api(path, {**world.ids, name: bad})
                _check(problems, f"{method} {url}", lambda url=url, call=call: call(url), api=True)
        url = fill_api(path, world.ids)
        if method.lower() in WRITE_METHODS:
            for what, body, ctype in _bodies():
                _check(
                    problems,
                    f"{method} {path} ({what})",
                    lambda url=url, call=call, body=body, ctype=ctype: call(
                        url, body, content_type=ctype
                    ),
                    api=True,
                )
        else:
            _check(
                problems,
                f"{method} {url}{BAD_QUERY}",
                lambda u=url, c=call: c(u + BAD_QUERY),
                api=True,
            )
    assert not problems, "\n".join(problems)


def _params(path: str) -> list[str]:
    import re

    return re.findall(r"\{([\w:]+)\}", path)


def _web_clients(world: World) -> list[tuple[str, Client]]:
    return [("member", world.web(_admin(world))), ("anonymous", Client())]


def test_every_url_pattern_answers_malformed_input_without_a_500(world):
    problems: list[str] = []
    for route in web_patterns():
        for who, client in _web_clients(world):
            for name in route.params:
                for bad in BAD_IDS:
                    url = fill(route.route, {**world.web_ids, name: bad})
                    _check(
                        problems, f"{who} GET {url}", lambda u=url, c=client: c.get(u), api=False
                    )
            url = fill(route.route, world.web_ids)
            _check(
                problems,
                f"{who} GET {url}{BAD_QUERY}",
                lambda u=url, c=client: c.get(u + BAD_QUERY),
                api=False,
            )
            _check(
                problems,
                f"{who} POST {url} (odd form)",
                lambda u=url, c=client: c.post(u, BAD_FORM),
                api=False,
            )
            _check(
                problems,
                f"{who} POST {url} (not UTF-8)",
                lambda u=url, c=client: c.post(
                    u,
                    b"name=\xff\xfe&action=\xe9",
                    content_type="application/x-www-form-urlencoded",
                ),
                api=False,
            )
    assert not problems, "\n".join(problems)


def test_unknown_api_paths_and_methods_answer_problem_documents(client):
    for url in ("/api/v1/nope", "/api/v1/facilities/abc", "/api/v1/../../etc/passwd"):
        response = client.get(url)
        assert response.status_code == 404
        assert _is_problem(response), url
    response = Client().delete("/api/v1/countries")
    assert response.status_code in (401, 405)
    assert _is_problem(response)


# --- the shared mechanisms the fuzzer relies on -------------------------------------------------


class _Boom:
    """A manager whose every query fails the way the database or a bug would."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def all(self) -> Any:
        raise self.exc


def test_an_api_bug_is_a_logged_problem_document_with_debug_off(api_a, monkeypatch, caplog):
    from oretrace.core import api as core_api

    monkeypatch.setattr(core_api.Mineral, "objects", _Boom(RuntimeError("a bug")))
    response = api_a.get("/api/v1/minerals")
    assert response.status_code == 500
    assert _is_problem(response)
    assert "a bug" not in response.content.decode()  # no internals in the answer …
    assert "a bug" in caplog.text  # … but in the log, with its traceback


def test_a_value_the_database_refuses_is_a_400_naming_it(api_a, web_a, monkeypatch):
    from django.db import DataError

    from oretrace.core import api as core_api
    from oretrace.core import models as core_models

    refused = DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    monkeypatch.setattr(core_api.Mineral, "objects", _Boom(refused))
    response = api_a.get("/api/v1/minerals")
    assert response.status_code == 400
    assert _is_problem(response)
    assert "cannot contain NUL" in response.json()["detail"]
    monkeypatch.setattr(core_models.Country, "objects", _Boom(refused))
    response = web_a.get("/reference/?q=x")
    assert response.status_code == 400
    assert "cannot contain NUL" in response.content.decode()


def test_an_id_of_the_wrong_type_is_not_found(member_a):
    from django.http import Http404

    from oretrace.core.models import Job
    from oretrace.core.tenancy import get_for_member

    for bad in ("abc", "1.5", "é", None, "99999999999999999999999"):
        with pytest.raises(Http404):
            get_for_member(Job.objects.all(), member_a, pk=bad)


def test_a_public_link_token_with_any_characters_is_just_wrong():
    from oretrace.ledger.keys import check_link_token, link_token

    assert check_link_token("core.organisation", "1", link_token("core.organisation", "1"))
    assert not check_link_token("core.organisation", "1", "é€")
