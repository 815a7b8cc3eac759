"""Template filters of the custody pages."""

from django import template
from django.utils.translation import gettext_lazy as _

from oretrace.traceability import codes
from oretrace.traceability.choices import DISPOSITION_LABELS, STEP_LABELS

register = template.Library()


@register.filter
def lot_number(code: str) -> str:
    """The lot number people write on labels, for an oretrace lot code; other codes as they are."""
    return codes.lot_number(str(code))


# UN/CEFACT codes of the units custody records count in besides masses.
UNIT_NAMES = {
    "H87": _("pieces"),
    "EA": _("each"),
    "C62": _("units"),
    "LTR": _("litres"),
    "MTQ": _("cubic metres"),
    "MTR": _("metres"),
    "MTK": _("square metres"),
}


@register.filter
def unit_name(code: str) -> str:
    """A readable name for a UN/CEFACT unit code, the code itself when we have none."""
    return str(UNIT_NAMES.get(str(code), code))


@register.filter
def step_name(step: str) -> str:
    """A readable name for a CBV business step (a bare term or its URI); others as given."""
    term = str(step).rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return str(STEP_LABELS.get(term, term))


def _term(value: str) -> str:
    return str(value).rsplit(":", 1)[-1].rsplit("/", 1)[-1]


@register.filter
def step_label(step: str) -> str:
    """The readable name of a CBV business step; empty when we have none (show the code)."""
    return str(STEP_LABELS.get(_term(step), ""))


@register.filter
def disposition_label(disposition: str) -> str:
    """The readable name of a CBV disposition; empty when we have none (show the code)."""
    return str(DISPOSITION_LABELS.get(_term(disposition), ""))
