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


# --- red flags (issue 18 §2) --------------------------------------------------------------------

from typing import Literal  # noqa: E402

from django.db.models import Count  # noqa: E402  (appended section)
from pydantic import BaseModel, ConfigDict, field_validator  # noqa: E402

from oretrace.core.models import Organisation  # noqa: E402
from oretrace.core.tenancy import owned_by  # noqa: E402
from oretrace.risk.models import RedFlag  # noqa: E402


class FlagFilter(BaseModel):
    """What a red-flag search asks for (the API reads it from the query string as it is)."""

    model_config = ConfigDict(frozen=True)

    state: Literal["open", "closed", ""] = "open"  # "" for both (FlagState's values)
    rule: str = ""
    severity: Literal["high", "medium", "low", ""] = ""
    facility: int | None = None
    supplier: int | None = None
    lot: int | None = None

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, value: str) -> str:
        from oretrace.risk.flags import RULES

        if value and value not in RULES:
            raise ValueError(f"unknown rule {value!r}; the rules are {', '.join(RULES)}")
        return value


def _flags(queryset: QuerySet[RedFlag]) -> QuerySet[RedFlag]:
    return queryset.select_related("facility", "supplier", "lot", "edition", "country")


def flags_for(member: Membership, f: FlagFilter | None = None) -> QuerySet[RedFlag]:
    """The red flags of the member's organisation, newest first, filtered as ``f`` asks."""
    f = f or FlagFilter()
    found = _flags(visible(RedFlag.objects.all(), member))
    if f.state == "open":
        found = found.filter(closed_at__isnull=True)
    elif f.state == "closed":
        found = found.filter(closed_at__isnull=False)
    if f.rule:
        found = found.filter(rule=f.rule)
    if f.severity:
        found = found.filter(severity=f.severity)
    if f.facility is not None:
        found = found.filter(facility_id=f.facility)
    if f.supplier is not None:
        found = found.filter(supplier_id=f.supplier)
    if f.lot is not None:
        found = found.filter(lot_id=f.lot)
    return found


def flag_for(member: Membership, flag_id: object) -> RedFlag:
    """One red flag (404 when the member's organisation has none of that id)."""
    return get_for_member(_flags(RedFlag.objects.select_related("previous")), member, pk=flag_id)


def flag_history(flag: RedFlag) -> list[RedFlag]:
    """Every flag of the same condition (same key), oldest first: raised, closed, raised again."""
    same = owned_by(RedFlag.objects.filter(key=flag.key), flag.organisation_id)
    return list(same.order_by("raised_at", "pk"))


def open_flags_for_facility(member: Membership, facility_id: int) -> QuerySet[RedFlag]:
    """The member's organisation's open flags about one facility (the facility page)."""
    return flags_for(member, FlagFilter(facility=facility_id))


def open_flag_counts_by_supplier(member: Membership) -> dict[int, int]:
    """Open flags per supplier of the member's organisation (the supplier list)."""
    rows = (
        visible(RedFlag.objects.open(), member)
        .filter(supplier__isnull=False)
        .values("supplier_id")
        .annotate(n=Count("id"))
    )
    return {row["supplier_id"]: row["n"] for row in rows}


def open_flags_as_of(organisation: Organisation | int, on: date) -> QuerySet[RedFlag]:
    """The organisation's red flags that were open at the end of the day ``on``: raised by then
    and not closed by then. For a score or a plan replayed "as of" a past date (flags are
    closed, never deleted, so the answer for a past day does not change later)."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return _flags(owned_by(RedFlag.objects.open_on(on), organisation_id)).order_by(
        "raised_at", "pk"
    )
