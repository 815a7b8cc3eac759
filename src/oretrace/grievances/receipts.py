"""Grievance receipts: 16 digits a reporter keeps to come back to their case.

Fifteen random digits and a check digit (Damm's algorithm, which catches every single wrong
digit and every swap of two neighbouring digits), shown in groups of four. Pure: no Django.
"""

from __future__ import annotations

import secrets

LENGTH = 16
GROUP = 4
# Damm's quasigroup of order 10 (weakly totally anti-symmetric).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


class ReceiptInvalid(ValueError):
    """Text that is not a receipt; the message says what is wrong with it, ``code`` which
    rule it broke (``empty``, ``digits``, ``length``, ``check``) for a translated message."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def check_digit(digits: str) -> str:
    """The Damm check digit of ``digits``."""
    interim = 0
    for char in digits:
        interim = _DAMM[interim][int(char)]
    return str(interim)


def new_receipt() -> str:
    """A fresh receipt: 15 random digits and their check digit (16 digits, no spaces)."""
    body = "".join(str(secrets.randbelow(10)) for _ in range(LENGTH - 1))
    return body + check_digit(body)


def grouped(receipt: str) -> str:
    """``1234 5678 9012 3456``: how a receipt is shown, read out and written down."""
    return " ".join(receipt[i : i + GROUP] for i in range(0, len(receipt), GROUP))


def parse(text: str) -> str:
    """The receipt's 16 digits from what a person typed (spaces, dashes and dots ignored).

    ``ReceiptInvalid`` when it is not 16 digits or its check digit does not match (a typo).
    """
    digits = "".join(ch for ch in text if ch not in " -.\t\u00a0")
    if not digits:
        raise ReceiptInvalid(f"enter the receipt's {LENGTH} digits", "empty")
    if not digits.isascii() or not digits.isdigit():
        raise ReceiptInvalid("a receipt has digits only", "digits")
    if len(digits) != LENGTH:
        raise ReceiptInvalid(f"a receipt has {LENGTH} digits, this has {len(digits)}", "length")
    if check_digit(digits) != "0":
        raise ReceiptInvalid("this receipt has a typing mistake: check each digit", "check")
    return digits
