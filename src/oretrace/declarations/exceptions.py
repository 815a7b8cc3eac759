"""Errors of the declarations services; they carry no HTTP status."""

from oretrace.core.exceptions import OretraceError


class DeclarationError(OretraceError):
    """A declaration change that cannot be made as asked; the message says why."""


class CampaignClosed(DeclarationError):
    """The campaign no longer takes answers."""
