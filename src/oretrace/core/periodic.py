"""Checks that run once a day in the worker (overdue campaign requests, assessments due).

An app registers a check with ``@daily_check("name")``; the notifications tick
(``core.notifications.run_tick``) runs every registered check when the last run is a day old.
A check takes the moment it runs for and returns how many notices it sent; one that fails is
logged and does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

logger = logging.getLogger("oretrace.notifications")

Check = Callable[[datetime], int]
_CHECKS: dict[str, Check] = {}


def daily_check(name: str) -> Callable[[Check], Check]:
    """Register ``fn`` to run once a day under ``name``."""

    def register(fn: Check) -> Check:
        _CHECKS[name] = fn
        return fn

    return register


def registered() -> dict[str, Check]:
    return dict(_CHECKS)


def run_daily_checks(now: datetime) -> dict[str, int]:
    """Run every registered check; the number of notices each sent (-1: it failed)."""
    results = {}
    for name, check in sorted(_CHECKS.items()):
        try:
            results[name] = check(now)
        except Exception:
            logger.exception("daily check %s failed", name)
            results[name] = -1
    return results
