"""The planted pages: as a page added in a hurry would be."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def untranslated(request: HttpRequest) -> HttpResponse:
    return render(request, "crawl_planted/untranslated.html")


def overflowing(request: HttpRequest) -> HttpResponse:
    return render(request, "crawl_planted/overflowing.html")


def hidden(request: HttpRequest, thing_id: int) -> HttpResponse:
    """A page with a parameter that no link, form or e-mail leads to."""
    return render(request, "crawl_planted/untranslated.html")
