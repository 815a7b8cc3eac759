"""Errors of the ledger app. They carry no HTTP status: the API and views map them."""

from oretrace.core.exceptions import OretraceError


class LedgerError(OretraceError):
    """A ledger operation that cannot be carried out as asked."""


class SigningKeyError(LedgerError):
    """The log's signing key is missing, unreadable or malformed."""


class ErasedRecord(LedgerError):
    """The record's salt was erased with its personal data: its leaves can no longer be opened."""
