"""Where events happen: the registry facility a location URI names, as an organisation sees it.

A location is a GLN (an SGLN URN or a GS1 Digital Link ``/414/``), an identifier of scheme
"other", or oretrace's own facility URI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

from oretrace.core.tenancy import scope_to_organisation
from oretrace.registry.choices import IdentifierScheme
from oretrace.registry.models import Facility, FacilityIdentifier
from oretrace.traceability import bulk, codes

_SGLN = re.compile(r"^urn:epc:id:sgln:(\d+)\.(\d*)\.")
_DIGITAL_LINK_GLN = re.compile(r"^https?://[^/]+/414/(\d{13})(?:/|$)")


def gln_of(location: str) -> str | None:
    """The 13-digit GLN a location URI names (SGLN URN or GS1 Digital Link /414/), if any."""
    if match := _DIGITAL_LINK_GLN.match(location):
        return match.group(1)
    match = _SGLN.match(location)
    if not match or len(match.group(1) + match.group(2)) != 12:
        return None
    body = match.group(1) + match.group(2)
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def facilities_at(locations: Iterable[str], organisation_id: int) -> dict[str, Facility]:
    """The registry facilities that location URIs name, by GLN (SGLN or Digital Link), by an
    identifier of scheme 'other', or by our own facility URI, among those the organisation may
    see: its own, the reference ones, and those other organisations shared with it."""
    locations = set(locations) - {""}
    glns = {gln: loc for loc in locations if (gln := gln_of(loc))}
    ours = {pk: loc for loc in locations if (pk := codes.facility_id_of(loc)) is not None}
    seen = scope_to_organisation(
        Facility.objects.live(), organisation_id, public=Q(organisation__isnull=True)
    )
    # The identifiers that match, whoever's facility they name, in plain SQL (Django's __in
    # prepared each of a capture's thousand locations one by one); few match, and the
    # organisation's view of the registry then filters their facilities.
    matches: list[tuple[str, str, int]] = []
    table = connection.ops.quote_name(FacilityIdentifier._meta.db_table)
    with connection.cursor() as cursor:
        for scheme, values in (
            (IdentifierScheme.GLN, sorted(glns)),
            (IdentifierScheme.OTHER, sorted(locations)),
        ):
            for condition, params in bulk.where_in("value", values):
                cursor.execute(
                    f"SELECT scheme, value, facility_id FROM {table} "  # noqa: S608
                    f"WHERE scheme = %s AND {condition}",
                    [scheme, *params],
                )
                matches.extend(cursor.fetchall())
    visible = seen.in_bulk({facility_id for _s, _v, facility_id in matches}) if matches else {}
    found: dict[str, Facility] = {}
    for kind, value, facility_id in sorted(matches):  # the identifiers' order: scheme, value
        if facility_id in visible:
            found.setdefault(glns[value] if kind == "gln" else value, visible[facility_id])
    for facility in seen.filter(pk__in=list(ours)):
        found.setdefault(ours[facility.pk], facility)
    return found
