"""Template helpers of the risk app: the open red flags of a facility or a supplier, as a small
section of that page (``{% load risk %}{% open_red_flags facility=facility %}``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext

register = template.Library()
SHOWN = 5


@register.inclusion_tag("risk/_open_flags.html", takes_context=True)
def open_red_flags(
    context: dict[str, Any], facility: Any = None, supplier: Any = None
) -> dict[str, Any]:
    """The reader's organisation's open flags about ``facility`` or ``supplier`` (the first
    few, most recent first, and a link to all of them)."""
    from oretrace.risk import queries
    from oretrace.risk.redflags.texts import as_row

    member = context.get("member")
    if member is None:
        return {"open_flags": None}
    if facility is not None:
        f = queries.FlagFilter(facility=facility.pk)
        url = f"{reverse('risk:flags')}?facility={facility.pk}"
        heading = gettext("Red flags")
    elif supplier is not None:
        f = queries.FlagFilter(supplier=supplier.pk)
        url = f"{reverse('risk:flags')}?supplier={supplier.pk}"
        heading = gettext("Open red flags of this supplier")
    else:
        return {"open_flags": None}
    found = queries.flags_for(member, f)
    total = found.count()
    return {
        "open_flags": [as_row(flag) for flag in found[:SHOWN]],
        "total": total,
        "more": total > SHOWN,
        "list_url": url,
        "heading": heading,
    }


@register.simple_tag(takes_context=True)
def open_flag_counts(context: dict[str, Any]) -> dict[int, int]:
    """Open flags per supplier of the reader's organisation (the supplier list's column)."""
    from oretrace.risk import queries

    member = context.get("member")
    return queries.open_flag_counts_by_supplier(member) if member is not None else {}


@register.inclusion_tag("risk/_score_badge.html", takes_context=True)
def risk_score(
    context: dict[str, Any], facility: Any = None, supplier: Any = None
) -> dict[str, Any]:
    """The latest risk score of ``facility`` or ``supplier`` for the reader's organisation, as
    a link to its page (``{% risk_score facility=facility %}``); a link alone when none yet."""
    from oretrace.risk.choices import LEVEL_LABELS
    from oretrace.risk.scores import queries as score_queries

    member = context.get("member")
    if member is None or (facility is None and supplier is None):
        return {"url": None}
    if facility is not None:
        url, lookup = reverse("risk:facility_score", args=[facility.pk]), {"facility": facility}
    else:
        url, lookup = reverse("risk:supplier_score", args=[supplier.pk]), {"supplier": supplier}
    latest = score_queries.scores_for(member).filter(**lookup).order_by("-as_of", "-id").first()
    level = LEVEL_LABELS.get(latest.level, latest.level) if latest else ""
    return {"url": url, "latest": latest, "level": level}
