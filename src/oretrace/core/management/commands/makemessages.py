"""``makemessages`` that also finds the msgids of ``plural_noop`` and ``StoredText.of``.

A notification is stored as its msgid pair and translated when read (``ngettext``), so the
pair is marked where it is written, untranslated. Django's own keywords know no plural marker
that leaves its text alone; this one extracts ``plural_noop(singular, plural)`` as one plural
entry of the catalogue, exactly as ``ngettext`` would be.

A job's title or progress line is a ``StoredText.of(msgid[, plural], **values)`` (see
``core/stored_text.py``): its literals are extracted too, the singular alone or the pair as a
plural entry. xgettext knows a call by its last name only, and ``of`` alone would also take
other classes' ``of`` (``Issue.of("newer-version", ...)``, whose first argument is a code) and
a value given as a literal (``file="x"``) for a plural: so a Python file that calls
``StoredText.of`` is handed to xgettext as a copy in which each such call is renamed, on the
same line (the catalogue's references stay right), ``stored_text_plural`` when it has two
positional arguments and ``stored_text_of`` when it has one, names xgettext is told.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.core.management.commands import makemessages
from django.utils.functional import cached_property

STORED_TEXT = "StoredText.of"


def mark_stored_texts(source: str) -> str:
    """``source`` with each ``StoredText.of`` call renamed for xgettext: ``stored_text_plural``
    when it names a plural (a second positional argument), else ``stored_text_of``."""
    spots = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and is_stored_text_of(node.func):
            name = "stored_text_plural" if len(node.args) > 1 else "stored_text_of"
            spots.append((node.func.end_lineno or 0, node.func.end_col_offset or 0, name))
    lines = source.split("\n")
    for number, end, name in sorted(spots, reverse=True):  # right to left on a line
        line = lines[number - 1].encode()  # ast's columns count UTF-8 bytes
        lines[number - 1] = (line[: end - len("of")] + name.encode() + line[end:]).decode()
    return "\n".join(lines)


def is_stored_text_of(called: ast.expr) -> bool:
    return (
        isinstance(called, ast.Attribute)
        and called.attr == "of"
        and isinstance(called.value, ast.Name)
        and called.value.id == "StoredText"
    )


class BuildFile(makemessages.BuildFile):
    """A source file on its way to xgettext: a Python file calling ``StoredText.of`` goes as
    a copy with the call renamed (Django already does this for templates)."""

    @cached_property
    def _calls_stored_text(self) -> bool:
        return (
            self.domain == "django"
            and self.translatable.file.endswith(".py")
            and STORED_TEXT in Path(self.path).read_text(encoding="utf-8")
        )

    @cached_property
    def is_templatized(self) -> bool:
        return bool(super().is_templatized or self._calls_stored_text)

    def preprocess(self) -> None:
        if not self._calls_stored_text:
            super().preprocess()
            return
        source = Path(self.path).read_text(encoding="utf-8")
        Path(self.work_path).write_text(mark_stored_texts(source), encoding="utf-8")


class Command(makemessages.Command):
    build_file_class = BuildFile
    xgettext_options = [
        *makemessages.Command.xgettext_options,
        "--keyword=plural_noop:1,2",
        "--keyword=stored_text_of:1",  # StoredText.of(msgid, **values)
        "--keyword=stored_text_plural:1,2",  # StoredText.of(msgid, plural, count=n, ...)
    ]
