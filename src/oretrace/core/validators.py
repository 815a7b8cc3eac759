"""Validators for identifiers the field uses."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_LEI = re.compile(r"^[0-9A-Z]{18}[0-9]{2}$")


def lei_checksum_ok(lei: str) -> bool:
    """ISO 17442 check digits: the LEI read as a base-36 number is 1 modulo 97 (ISO 7064)."""
    digits = "".join(str(int(ch, 36)) for ch in lei)
    return int(digits) % 97 == 1


def validate_lei(value: str) -> None:
    if not value:
        return
    if not _LEI.match(value):
        raise ValidationError(
            f"LEI {value!r} must be 18 letters or digits followed by 2 check digits (20 in all)."
        )
    if not lei_checksum_ok(value):
        raise ValidationError(f"LEI {value!r} has wrong check digits.")


def validate_duns(value: str) -> None:
    if value and not re.fullmatch(r"\d{9}", value):
        raise ValidationError(f"D-U-N-S number {value!r} must be exactly 9 digits.")
