"""Texts stored with a standard in several languages."""

from __future__ import annotations

from typing import Any

from django.utils import translation


def localise(texts: dict[str, Any] | None, language: str | None = None) -> str:
    """The text in ``language`` (default: the active one), else English, else any."""
    if not texts:
        return ""
    language = (language or translation.get_language() or "en").split("-")[0]
    return str(texts.get(language) or texts.get("en") or next(iter(texts.values()), ""))
