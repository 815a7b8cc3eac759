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
def jsonish(value: object) -> str:
    """Short readable rendering of a before/after value."""
    if value is None:
        return "—"
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)
