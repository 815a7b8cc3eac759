"""Reads of the risk app. Editions are shared reference data: every member reads them all,
through the tenancy helper like every other read."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from oretrace.core.models import Membership
from oretrace.core.tenancy import get_for_member, visible
from oretrace.risk.choices import EditionKind
from oretrace.risk.models import Edition, EditionRow
from oretrace.risk.sources import EditionDiff, diff_rows


def editions_for(member: Membership, kind: str = "") -> QuerySet[Edition]:
    """Every edition, of one kind when ``kind`` is one, newest first within a kind."""
    editions = visible(Edition.objects.select_related("previous", "imported_by"), member)
    if kind in EditionKind.values:
        editions = editions.filter(kind=kind)
    return editions


def edition_as_of(kind: str, on: date) -> Edition | None:
    """The edition of ``kind`` in force on ``on``: the latest dated on or before it (the last
    imported, between two of the same date). What a replay "as of" a date reads."""
    edition: Edition | None = (
        Edition.objects.filter(kind=kind, edition_date__lte=on)
        .order_by("-edition_date", "-pk")
        .first()
    )
    return edition


def edition_for(member: Membership, edition_id: object) -> Edition:
    """One edition (404 when there is none)."""
    return get_for_member(
        Edition.objects.select_related("previous", "imported_by", "job"), member, pk=edition_id
    )


def edition_rows(edition: Edition) -> QuerySet[EditionRow]:
    """The rows of an edition, in the list's own order."""
    model = edition.row_model
    rows: QuerySet[EditionRow] = model.objects.filter(**{"edition": edition})
    if not hasattr(model, "country_id"):
        return rows
    related = ("country",)  # a row kind with a country: the names on the page read it
    return rows.select_related(*related)


def _compared(edition: Edition) -> dict[str, dict[str, str]]:
    model = edition.row_model
    rows = model.objects.filter(**{"edition": edition}).only("key", *model.source_fields())
    return {row.key: dict(row.as_source().compared()) for row in rows}


def edition_diff(edition: Edition) -> EditionDiff | None:
    """What changed since the previous edition of the same kind (None for the first)."""
    if edition.previous is None:
        return None
    return diff_rows(_compared(edition.previous), _compared(edition))
