"""Errors of the registry services; they carry no HTTP status."""

from oretrace.core.exceptions import OretraceError


class RegistryError(OretraceError):
    """A registry change that cannot be made as asked; the message says why."""
