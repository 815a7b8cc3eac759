"""Template helpers of the programmes: a mine's or collection point's licence on the registry's
facility page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("programmes/_licence_fact.html", takes_context=True)
def licence_fact(context: dict[str, Any], facility: Any) -> dict[str, Any]:
    """The facility's licence as its reader may see it (only for mines and collection points)."""
    from oretrace.programmes.queries import licences as licence_queries

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


@register.inclusion_tag("programmes/_training_offers.html", takes_context=True)
def training_offers(
    context: dict[str, Any], action: Any = None, finding: Any = None
) -> dict[str, Any]:
    """The upcoming training sessions offered on an improvement action or an audit finding
    (criteria matching), with a request-to-join form for the supplier's members."""
    from oretrace.programmes.queries import training as training_queries

    member = context.get("member")
    if member is None or (action is None and finding is None):
        return {"offer": None}
    if action is not None:
        offer = training_queries.offer_for_action(member, action)
    else:
        offer = training_queries.offer_for_finding(member, finding)
    return {
        "offer": offer,
        "action": action,
        "finding": finding,
        "key": f"a{action.pk}" if action is not None else f"f{finding.pk}",
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def requested(offer: Any, session: Any) -> Any:
    """The member's request to join ``session`` on this offer, if any."""
    return offer.requested.get(session.pk) if offer is not None else None


@register.filter
def trained_role(row: Any, role: str) -> int:
    return int(row.of(role))


@register.filter
def trained_gender(row: Any, gender: str) -> int:
    return int(row.of_gender(gender))
