"""What every reader returns and raises."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

KINDS = ("dol-goods", "dol-countries", "cahra", "iso3166")
# The largest DOL file is 2 MB; a list ten times that is not a reference list.
MAX_BYTES = 20 * 1024 * 1024


class SourceError(ValueError):
    """A file that is not the list it was read as: the file, where in it, and what is wrong."""

    def __init__(self, filename: str, where: str, what: str) -> None:
        self.filename, self.where, self.what = filename, where, what
        super().__init__(f"{filename}{', ' + where if where else ''}: {what}")


class SourceRow(Protocol):
    """One row of an edition: a key that names it across editions, and the values compared."""

    @property
    def key(self) -> str: ...

    def compared(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class SourceEdition:
    """The rows of one file, and what the file says about its own edition (if anything)."""

    kind: str
    publisher: str
    rows: list[SourceRow]
    label: str = ""  # the edition's name as the file gives it ("Report: June 2026 …")
    published: date | None = None  # the edition's date, when the file states it
    retrieved: date | None = None  # when the file was taken from its source, if it says
    warnings: list[str] = field(default_factory=list)


def unique_rows(
    located: Iterable[tuple[str, SourceRow]], filename: str, empty: tuple[str, str]
) -> list[SourceRow]:
    """The rows of a file in its order, each key once: ``located`` yields each row with where it
    stands, and a key met again is refused there; a file with no row is refused with ``empty``
    (where, what)."""
    rows: list[SourceRow] = []
    seen: set[str] = set()
    for where, row in located:
        if row.key in seen:
            raise SourceError(filename, where, f"{row.key!r} is listed twice")
        seen.add(row.key)
        rows.append(row)
    if not rows:
        raise SourceError(filename, *empty)
    return rows


def yes_no(value: str, filename: str, where: str, name: str) -> bool:
    """``Yes``/``No`` as DOL writes them."""
    text = value.strip().lower()
    if text in ("yes", "no"):
        return text == "yes"
    raise SourceError(filename, where, f"<{name}> is {value.strip()!r}, expected Yes or No")
