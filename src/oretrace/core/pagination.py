"""Limit/offset pagination with the total count, for every list endpoint."""

from __future__ import annotations

from typing import Any, TypedDict

from django.conf import settings
from django.db.models import Count, QuerySet, Window
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class Page(TypedDict):
    """One page of a list endpoint, as ``Pagination.Output`` describes it."""

    count: int
    limit: int
    offset: int
    items: list[Any]


class Pagination(PaginationBase):
    """``?limit=&offset=``; answers ``{count, limit, offset, items}``."""

    class Input(Schema):
        limit: int = Field(
            settings.ORETRACE_API_PAGE_SIZE,
            ge=1,
            le=settings.ORETRACE_API_MAX_PAGE_SIZE,
            description="How many items to return.",
        )
        offset: int = Field(0, ge=0, description="How many items to skip.")

    class Output(Schema):
        count: int
        limit: int
        offset: int
        items: list[Any]

    items_attribute = "items"

    # ninja passes the request among **params
    def paginate_queryset(  # type: ignore[override]
        self, queryset: QuerySet[Any], pagination: Input, **params: Any
    ) -> Page:
        limit, offset = pagination.limit, pagination.offset
        if queryset.query.distinct:  # a window would count the rows before DISTINCT
            items = list(queryset[offset : offset + limit])
            count = self._items_count(queryset)
            return {"count": count, "limit": limit, "offset": offset, "items": items}
        # The total rides along with the page as a window count: one query, not two.
        items = list(queryset.annotate(_page_total=Window(Count("pk")))[offset : offset + limit])
        if items:
            count = items[0]._page_total
        elif offset:  # past the end: the window saw no rows, so ask for the total itself
            count = self._items_count(queryset)
        else:
            count = 0
        return {"count": count, "limit": limit, "offset": offset, "items": items}
