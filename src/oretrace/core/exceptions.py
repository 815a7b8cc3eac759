"""Errors the core services raise. They carry no HTTP status: the API and views map them."""


class OretraceError(ValueError):
    """A request that cannot be carried out as asked; the message says why, for a user."""


class PermissionDenied(OretraceError):
    """The acting member lacks a role the action needs."""


class InvalidTransition(OretraceError):
    """A state change that the object's life cycle does not allow."""


class TokenError(OretraceError):
    """An API token that is unknown, revoked or expired."""


class NotFound(OretraceError):
    """No such object, or none the actor may see: the API and pages answer 404 either way."""
