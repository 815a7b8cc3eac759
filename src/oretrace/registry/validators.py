"""Formats of the identifier schemes the registry checks."""

from __future__ import annotations

import re

from oretrace.core.validators import lei_checksum_ok
from oretrace.registry.choices import IdentifierScheme

_CID = re.compile(r"^CID\d{6}$")
_CFSI = re.compile(r"^[1-4][A-Z]{3}\d{3}$")
_GLN = re.compile(r"^\d{13}$")
_LEI = re.compile(r"^[0-9A-Z]{18}[0-9]{2}$")


def gs1_check_digit_ok(digits: str) -> bool:
    """GS1 mod-10: weights 3 and 1 alternate from the right, excluding the check digit."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def clean_identifier(scheme: str, value: str) -> str:
    """Return the identifier in its canonical form, or raise ``ValueError`` saying why not."""
    value = value.strip().upper() if scheme != IdentifierScheme.OTHER else value.strip()
    if not value:
        raise ValueError("an identifier cannot be empty")
    if scheme == IdentifierScheme.RMI_CID and not _CID.match(value):
        raise ValueError(f"RMI smelter ID {value!r} must be 'CID' and 6 digits, e.g. CID001234")
    if scheme == IdentifierScheme.CFSI_LEGACY and not _CFSI.match(value):
        raise ValueError(
            f"CFSI smelter ID {value!r} must look like 1JPN072 (digit, 3 letters, 3 digits)"
        )
    if scheme == IdentifierScheme.GLN and not (_GLN.match(value) and gs1_check_digit_ok(value)):
        raise ValueError(f"GLN {value!r} must be 13 digits with a valid GS1 check digit")
    if scheme == IdentifierScheme.LEI and not (_LEI.match(value) and lei_checksum_ok(value)):
        raise ValueError(f"LEI {value!r} is not a valid ISO 17442 identifier")
    if scheme not in IdentifierScheme.values:
        raise ValueError(f"unknown identifier scheme {scheme!r}")
    return value
