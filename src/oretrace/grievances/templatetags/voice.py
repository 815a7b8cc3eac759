"""Template helpers of the grievance app: a facility's aggregated worker voice, beside its
risk on the facility page (``{% load voice %}{% worker_voice facility=facility %}``)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("grievances/_worker_voice.html", takes_context=True)
def worker_voice(context: dict[str, Any], facility: Any) -> dict[str, Any]:
    """The facility's linked grievances by category and quarter, and its pulse surveys' results,
    for a buyer whose supply chain includes it (every count under five reads "<5")."""
    from django.utils import translation

    from oretrace.grievances import cells, queries

    member = context.get("member")
    if member is None:
        return {"grievances": None, "surveys": []}
    shown = queries.facility_statistics(member, facility)
    language = (translation.get_language() or "en")[:2]
    return {
        "grievances": as_rows(shown) if shown is not None else None,
        "surveys": queries.facility_surveys(member, facility, language),
        "minimum": cells.MIN_CELL,
    }


def as_rows(shown: Any) -> dict[str, Any]:
    """A ``cells.Table`` as a template walks it: rows of (label, cells, total)."""
    return {
        "columns": shown.columns,
        "rows": [(r, shown.row(r), shown.row_totals[r]) for r in shown.rows],
        "column_totals": [shown.column_totals[c] for c in shown.columns],
        "total": shown.total,
    }


def _shown(texts: Any) -> tuple[str, str]:
    """(language, text) of a survey's text in the reader's language, else in English (what its
    author wrote: the survey's languages are the author's, not the catalogue's)."""
    from django.utils import translation

    language = (translation.get_language() or "en")[:2]
    for code in (language, "en", *texts):
        if texts.get(code):
            return code, str(texts[code])
    return "en", ""


@register.filter
def in_reader_language(texts: Any) -> str:
    """A survey question's or option's text in the reader's language where its author gave it
    (``{{ question.text|in_reader_language }}``)."""
    return _shown(texts)[1]


@register.filter
def language_shown(texts: Any) -> str:
    """The language ``in_reader_language`` shows the text in, for the element's ``lang``."""
    return _shown(texts)[0]
