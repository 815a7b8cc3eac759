"""``web.views.attempt``: the one way a view shows a domain error and lets a refusal be a 403."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpRequest
from django.test import RequestFactory

from oretrace.core.exceptions import OretraceError, PermissionDenied
from oretrace.web.views import attempt, errors_as_messages, errors_on_form


class _Form(forms.Form):
    file = forms.CharField(required=False)


def _request() -> HttpRequest:
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def _refuse_the_year() -> None:
    raise OretraceError("the year must be a number")


def test_a_write_that_goes_through_runs_the_rest_of_the_block_and_shows_nothing() -> None:
    shown: list[str] = []
    ran: list[str] = []
    with attempt(shown.append) as tried:
        ran.append("after the write")
    assert ran == ["after the write"]
    assert (tried.error, shown) == ("", [])


def test_a_domain_error_skips_the_rest_of_the_block_and_is_shown_once() -> None:
    shown: list[str] = []
    ran: list[str] = []
    with attempt(shown.append) as tried:
        _refuse_the_year()
        ran.append("after the write")
    assert ran == []
    assert tried.error == "the year must be a number"
    assert shown == ["the year must be a number"]


def test_without_show_the_error_is_only_kept() -> None:
    with attempt() as tried:
        raise OretraceError("no such part")
    assert tried.error == "no such part"


def test_a_refusal_is_not_shown_but_goes_on_to_the_403() -> None:
    shown: list[str] = []
    with pytest.raises(PermissionDenied, match="needs the buyer role"), attempt(shown.append):
        raise PermissionDenied("needs the buyer role")
    assert shown == []


def test_other_errors_are_not_caught() -> None:
    with pytest.raises(KeyError), attempt():
        raise KeyError("a bug stays a bug")


def test_errors_as_messages_adds_an_error_message() -> None:
    request = _request()
    with errors_as_messages(request):
        raise OretraceError("choose a CSV file")
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "choose a CSV file")
    ]


def test_errors_on_form_adds_a_form_error_on_the_field_or_above_the_fields() -> None:
    form = _Form({"file": ""})
    assert form.is_valid()
    with errors_on_form(form, "file"):
        raise OretraceError("not a workbook")
    with errors_on_form(form):
        raise OretraceError("the queue changed")
    assert form.errors == {"file": ["not a workbook"], "__all__": ["the queue changed"]}
