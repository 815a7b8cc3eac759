"""``bounds.foreign_kind``: what an upload plainly is when it is no workbook or CSV file."""

from __future__ import annotations

import pytest

from oretrace.core import bounds


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"{\\rtf1\\ansi", "an RTF document"),
    ],
)
def test_a_foreign_file_is_named(data: bytes, kind: str) -> None:
    assert bounds.foreign_kind(data) == kind


@pytest.mark.parametrize("data", [b"PK\x03\x04rest", b"name,country\nA,IN\n", b""])
def test_workbooks_and_text_are_not_foreign(data: bytes) -> None:
    assert bounds.foreign_kind(data) == ""
