"""Installing programme versions: the shipped programme files, and an organisation's own.

A version is installed once. Installing the same code and version again with the same rules
is a no-op; with other rules it is refused: a rule change is a new version, and the audits
running under the old one keep it (they point at their row, whose text never changes).
"""

from __future__ import annotations

from django.db import transaction

from oretrace.audits import rules
from oretrace.audits.exceptions import ProgrammeVersionError
from oretrace.audits.models import ProgrammeVersion
from oretrace.audits.permissions import can_conduct_audits
from oretrace.audits.services.sides import Actor
from oretrace.core.actors import SystemActor
from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction
from oretrace.core.models import Organisation
from oretrace.core.tenancy import owned_by


@transaction.atomic
def install_programme(
    text: str, *, name: str, actor: Actor, organisation: Organisation | None = None
) -> tuple[ProgrammeVersion, bool]:
    """Install one programme file (shipped when ``organisation`` is None: the system only);
    returns the version row and whether it is new."""
    if organisation is None:
        if not isinstance(actor, SystemActor):
            raise ProgrammeVersionError("shipped programmes are installed by the platform")
    else:
        can_conduct_audits.require(actor, organisation_id=organisation.pk)
    try:
        programme = rules.read(text, name)
    except rules.ProgrammeError as error:
        raise ProgrammeVersionError(str(error)) from None
    existing = (
        owned_by(ProgrammeVersion.objects.all(), organisation.pk if organisation else None)
        .filter(code=programme.code, version=programme.version)
        .first()
    )
    if existing is not None:
        if existing.fingerprint != programme.fingerprint:
            raise ProgrammeVersionError(
                f"{name}: {programme.code} version {programme.version} is installed with other "
                "rules; a rule change is a new version (raise 'version')"
            )
        return existing, False
    version = ProgrammeVersion.objects.create(
        organisation=organisation,
        code=programme.code,
        version=programme.version,
        title=dict(programme.title),
        standard_code=programme.standard_code or "",
        fingerprint=programme.fingerprint,
        source=text,
    )
    log_change(version, action=ChangeAction.CREATE, actor=actor, organisation=organisation)
    return version, True


def install_shipped(actor: Actor) -> list[ProgrammeVersion]:
    """Install every shipped programme file not yet installed; the new versions."""
    installed = []
    for name, text in rules.shipped_files():
        version, new = install_programme(text, name=name, actor=actor)
        if new:
            installed.append(version)
    return installed


def shipped_version(code: str) -> ProgrammeVersion:
    """The latest installed shipped version of a programme (by installation)."""
    rows = ProgrammeVersion.objects.filter(organisation__isnull=True, code=code)
    version = rows.order_by("-created_at", "-pk").first()
    if version is None:
        raise ProgrammeVersionError(f"no shipped programme {code!r} is installed")
    return version
