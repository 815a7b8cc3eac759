"""Texts stored with a standard in several languages."""

from __future__ import annotations

from typing import Any

from django.utils import translation


def localise(texts: dict[str, Any] | None, language: str | None = None) -> str:
    """The text in ``language`` (default: the active one), else English, else any."""
    if not texts:
        return ""
    return str(texts.get(text_language(texts, language), ""))


def text_language(texts: dict[str, Any] | None, language: str | None = None) -> str:
    """The language ``localise`` shows the text in: ``language`` when the text has it, else
    English, else the first it has (pages mark the text with it, ``lang="en"``)."""
    language = (language or translation.get_language() or "en").split("-")[0]
    if not texts:
        return language
    for candidate in (language, "en", *texts):
        if texts.get(candidate):
            return str(candidate)
    return language
