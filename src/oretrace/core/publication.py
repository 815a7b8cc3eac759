"""Where core's own records reach the transparency log, without core knowing the ledger app.

An organisation's registration facts are a leaf of the public log, but `core` sits below every
domain app (ARCHITECTURE.md, "Layering"). So the ledger installs its append function here when
Django starts (`LedgerConfig.ready()`), and core's services call `publish`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from oretrace.core.actors import SystemActor
    from oretrace.core.models import Membership

Append = Callable[..., object]
_log: list[Append] = []


def install(append: Append) -> None:
    """Make `append(record, *, actor)` the function that puts a record in the public log."""
    _log[:] = [append]


def publish(record: models.Model, *, actor: Membership | SystemActor) -> None:
    """Append the record's public facts to the transparency log, in the caller's transaction."""
    if not _log:
        raise RuntimeError(
            "no transparency log is installed: add oretrace.ledger to INSTALLED_APPS"
        )
    _log[0](record, actor=actor)
