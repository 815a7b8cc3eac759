"""Figures other apps add to the dashboard: each app registers a function of the member.

Every figure is computed from the database when the page is drawn, never set by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from oretrace.core.models import Membership


@dataclass(frozen=True)
class Figure:
    label: str | Promise
    value: int | str
    url: str = ""


@dataclass(frozen=True)
class Notice:
    """A warning on the dashboard with the way out: its template, given the member."""

    template: str
    context: dict[str, Any]


class _Providers[T]:
    """The functions the apps registered for one part of the dashboard, in registration order."""

    def __init__(self) -> None:
        self._providers: list[Callable[[Membership], list[T]]] = []

    def register(
        self, provider: Callable[[Membership], list[T]]
    ) -> Callable[[Membership], list[T]]:
        self._providers.append(provider)
        return provider

    def collect(self, member: Membership) -> list[T]:
        return [item for provider in self._providers for item in provider(member)]


_FIGURES = _Providers[Figure]()
_NOTICES = _Providers[Notice]()

#: Register ``provider(member) -> [Figure, …]`` for the dashboard (a decorator).
figures = _FIGURES.register
collect = _FIGURES.collect
#: Register ``provider(member) -> [Notice, …]`` for the top of the dashboard (a decorator).
notices = _NOTICES.register
collect_notices = _NOTICES.collect
