"""Checker findings and red flags in the reader's language.

A finding is stored (``Declaration.issues``) with its English ``message`` and, since findings
carry them, the catalogue ``template`` it was made from and its ``params``. Shown to a person,
the template is translated and filled at display time; the parameters that are codes (a
mineral, an assurance status, a template field's label) are translated too. A finding stored
before templates existed, or one whose translation does not fit its parameters, shows its
English message: an old row stays readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from oretrace.core.reference import mineral_name
from oretrace.declarations.models import Issue
from oretrace.registry.choices import status_label


def _param(name: str, value: str) -> str:
    if name == "mineral":
        return mineral_name(value)
    if name == "status":
        return status_label(value)
    if name == "field":
        return gettext(value)
    return value


def finding_text(issue: Mapping[str, Any]) -> str:
    """The text of one stored finding in the active language."""
    template, params = issue.get("template"), issue.get("params")
    if not template or not isinstance(params, Mapping):
        return str(issue.get("message", ""))
    values = {name: _param(name, str(value)) for name, value in params.items()}
    try:
        return gettext(template) % values
    except (KeyError, TypeError, ValueError):
        return str(issue.get("message", ""))


def with_text(issues: list[Issue]) -> list[Issue]:
    """Copies of ``issues``, each with its ``text`` in the active language."""
    return [{**issue, "text": finding_text(issue)} for issue in issues]
