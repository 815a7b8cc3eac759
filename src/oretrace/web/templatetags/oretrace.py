"""Template helpers of the shell."""

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def changes_url(obj: object) -> str:
    """Link to the change log page of any model instance."""
    meta = obj._meta  # type: ignore[attr-defined]
    return reverse("web:changes", args=[meta.app_label, meta.model_name, obj.pk])  # type: ignore[attr-defined]


@register.filter
def job_title(job: object) -> str:
    """A job's title in the reader's language when it is the kind's own title."""
    from oretrace.core.jobs import job_kinds

    spec = job_kinds().get(job.kind)  # type: ignore[attr-defined]
    if spec is not None and job.title == spec.english_title:  # type: ignore[attr-defined]
        return str(spec.title)
    return job.title  # type: ignore[attr-defined]


@register.filter
def lookup(mapping: object, key: object) -> object:
    """``mapping[key]``, or the key itself when the mapping has no such entry."""
    try:
        return mapping[key]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        return key


@register.filter
def negate(value: object) -> str:
    """``-value`` as plain text (SVG's y axis points down, latitude points up)."""
    try:
        return format(-float(value), "f")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""


@register.filter
def jsonish(value: object) -> str:
    """Short readable rendering of a before/after value."""
    if value is None:
        return "—"
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


@register.filter
def role_labels(codes: object) -> list[str]:
    """Role codes as their translated names (unknown codes as they are)."""
    from oretrace.core.choices import Role

    labels = dict(Role.choices)
    return [str(labels.get(code, code)) for code in (codes or [])]  # type: ignore[attr-defined]
