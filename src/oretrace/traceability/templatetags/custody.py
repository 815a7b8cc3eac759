"""Template filters of the custody pages."""

from django import template

from oretrace.traceability.recording import short_code

register = template.Library()


@register.filter
def lot_number(code: str) -> str:
    """The lot number people write on labels, for an oretrace lot code; other codes as they are."""
    return short_code(str(code))
