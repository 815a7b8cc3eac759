"""Template helpers of the assessments: texts in the chosen language, outcome labels."""

from typing import Any

from django import template

from oretrace.assessments.choices import AnswerType, Outcome, Severity
from oretrace.assessments.texts import localise, text_language

register = template.Library()


@register.filter
def tr(texts: dict[str, Any] | None, language: str = "") -> str:
    """A standard's text in ``language`` (else English)."""
    return localise(texts, language or None)


@register.filter
def tr_lang(texts: dict[str, Any] | None, language: str = "") -> str:
    """The language ``tr`` shows the text in (for its ``lang`` attribute)."""
    return text_language(texts, language or None)


@register.filter
def answer_type_label(code: str | None) -> str:
    """A question's answer type in the reader's language (the code when unknown)."""
    return str(dict(AnswerType.choices).get(code or "", code or ""))


@register.filter
def severity_label(code: str | None) -> str:
    """A criterion's severity in the reader's language (the code when unknown)."""
    return str(dict(Severity.choices).get(code or "", code or ""))


@register.filter
def outcome_label(code: str | None) -> str:
    return str(dict(Outcome.choices).get(code, "—")) if code else "—"


@register.filter
def lookup_list(mapping: dict[str, list[Any]] | None, key: str) -> list[Any]:
    """``mapping[key]``, or an empty list."""
    return list((mapping or {}).get(key, []))


@register.filter
def lines(text: str) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


@register.inclusion_tag("assessments/_facility_summary.html", takes_context=True)
def assessment_summary(context: dict[str, Any], facility: Any) -> dict[str, Any]:
    """The latest submitted self-assessment of a facility the reader may see, if any."""
    from oretrace.assessments.queries import latest_for_facility

    member = context.get("member")
    latest = latest_for_facility(facility, member) if member is not None else None
    return {"latest_assessment": latest}
