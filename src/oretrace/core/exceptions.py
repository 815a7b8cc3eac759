"""Errors the core services raise. They carry no HTTP status: the API and views map them."""


class OretraceError(ValueError):
    """A request that cannot be carried out as asked; the message says why, for a user."""


class FieldError(OretraceError):
    """A request that cannot be carried out as given, the message saying why; ``field`` names
    the input that is wrong (the form's field) when there is one, for a page to show the message
    beside it."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PermissionDenied(OretraceError):
    """The acting member lacks a role the action needs."""


class InvalidTransition(OretraceError):
    """A state change that the object's life cycle does not allow."""


class TokenError(OretraceError):
    """An API token that is unknown, revoked or expired."""


class NotFound(OretraceError):
    """No such object, or none the actor may see: the API and pages answer 404 either way."""
