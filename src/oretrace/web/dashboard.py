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


Provider = Callable[[Membership], list[Figure]]
_PROVIDERS: list[Provider] = []


def figures(provider: Provider) -> Provider:
    """Register ``provider(member) -> [Figure, …]`` for the dashboard."""
    _PROVIDERS.append(provider)
    return provider


def collect(member: Membership) -> list[Figure]:
    return [figure for provider in _PROVIDERS for figure in provider(member)]


@dataclass(frozen=True)
class Notice:
    """A warning on the dashboard with the way out: its template, given the member."""

    template: str
    context: dict[str, Any]


NoticeProvider = Callable[[Membership], list[Notice]]
_NOTICES: list[NoticeProvider] = []


def notices(provider: NoticeProvider) -> NoticeProvider:
    """Register ``provider(member) -> [Notice, …]`` for the top of the dashboard."""
    _NOTICES.append(provider)
    return provider


def collect_notices(member: Membership) -> list[Notice]:
    return [notice for provider in _NOTICES for notice in provider(member)]
