"""Template helpers of the programmes: a mine's or collection point's licence on the registry's
facility page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("programmes/_licence_fact.html", takes_context=True)
def licence_fact(context: dict[str, Any], facility: Any) -> dict[str, Any]:
    """The facility's licence as its reader may see it (only for mines and collection points)."""
    from oretrace.programmes import licence_queries

    member = context.get("member")
    if member is None or facility.kind not in licence_queries.LICENSED_KINDS:
        return {"shown": False}
    entries = list(licence_queries.entries_for(member, facility))
    return {
        "shown": True,
        "facility": facility,
        "current": licence_queries.current(entries),
        "recorded": bool(entries),
        "may_record": licence_queries.may_record_licence(member, facility),
    }


@register.filter
def licence_status(code: str | None) -> str:
    """A licence status in the reader's language."""
    from oretrace.programmes.choices import LicenceStatus

    return str(dict(LicenceStatus.choices).get(code or "", code or ""))
