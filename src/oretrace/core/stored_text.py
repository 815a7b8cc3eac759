"""Texts stored with a row and shown later, in the language of whoever reads them.

A job's title, a line of its progress or an import's summary is written once, by a worker that
does not know who will read it. So the row keeps the catalogue's msgid (and its plural) with
the values to fill in, as JSON, next to the English text (which logs, the CLI and the API
keep showing). A page renders it with ``gettext``/``ngettext`` in the reader's language; a row
written before templates were stored has only its English text, which is shown as it is.

    text = StoredText.of(
        "Import %(count)s declaration file", "Import %(count)s declaration files", count=3
    )
    job.title, job.title_text = text.english(), text.as_json()
    ...
    StoredText.render(job.title_text, fallback=job.title)   # "Importer 3 fichiers…" in fr

The msgids must be in the catalogues: write them as literals where ``of`` is called (our
``makemessages`` extracts them there, the plural pair as one plural entry, and
``tests/test_catalogues.py`` fails on one that is missing or untranslated).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext


def plural_noop(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural msgid pair for the catalogues, untranslated: the reader's
    language chooses the form when it is shown (``ngettext``). Extracted as one plural entry
    (see the ``makemessages`` command)."""
    return singular, plural


# The value that chooses the plural form, when the text has one.
COUNT = "count"
# The value of a text made of other texts (``joined``), which has no msgid of its own.
PARTS = "parts"


@dataclass(frozen=True)
class StoredText:
    """A catalogue msgid (with its plural) and the values that fill its ``%(name)s`` holes."""

    msgid: str
    plural: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, msgid: str, plural: str = "", **values: Any) -> StoredText:
        """The text ``msgid`` (or ``plural``, chosen by ``values['count']``) with ``values``.

        Values are kept as JSON holds them: numbers stay numbers, a ``StoredText`` stays a text
        to translate (a list of them reads as one text, joined by commas), anything else
        becomes text."""
        kept = {name: _keep(value) for name, value in values.items()}
        if plural and COUNT not in kept:
            raise ValueError(f"a plural text needs a {COUNT!r} value: {msgid!r}")
        return cls(msgid, plural, kept)

    @classmethod
    def marked(cls, label: str | Promise) -> StoredText:
        """A label marked for translation where it is defined (a ``gettext_lazy`` in a table of
        labels, which the catalogues already hold): stored by its English msgid."""
        with translation.override("en"):
            return cls(str(label))

    @classmethod
    def joined(cls, *parts: StoredText) -> StoredText:
        """Texts read as one, joined by commas ("3 imported, 1 refused"): each part has its
        own msgid, so each counts in its own plural."""
        return cls("", "", {PARTS: [part.as_json() for part in parts]})

    def __str__(self) -> str:
        """The text in the active language."""
        if not self.msgid:
            return str(_shown(self.values.get(PARTS, [])))
        if self.plural:
            template = ngettext(self.msgid, self.plural, int(self.values[COUNT]))
        else:
            template = gettext(self.msgid)
        values = {name: _shown(value) for name, value in self.values.items()}
        try:
            return _fill(template, values)
        except (KeyError, TypeError, ValueError):  # a translation with a broken placeholder
            if translation.get_language() == "en":
                raise
            return self.english()

    def english(self) -> str:
        """The text in English, as logs, the CLI and the API show it."""
        with translation.override("en"):
            if not self.msgid:
                return str(_shown(self.values.get(PARTS, [])))
            values = {name: _shown(value) for name, value in self.values.items()}
            if self.plural:
                template = self.msgid if int(self.values[COUNT]) == 1 else self.plural
            else:
                template = self.msgid
            return _fill(template, values)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"msgid": self.msgid, "values": dict(self.values)}
        if self.plural:
            data["plural"] = self.plural
        return data

    @classmethod
    def from_json(cls, data: Any) -> StoredText | None:
        """The stored text, or None when ``data`` holds none (a row written before)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("msgid"), str):
            return None
        values = data.get("values")
        plural = data.get("plural")
        return cls(
            data["msgid"],
            plural if isinstance(plural, str) else "",
            values if isinstance(values, Mapping) else {},
        )

    @staticmethod
    def render(data: Any, fallback: str = "") -> str:
        """``data``'s text in the active language, or ``fallback`` (the stored English) when
        the row holds no template or its values do not fit it."""
        text = StoredText.from_json(data)
        if text is None:
            return fallback
        try:
            return str(text)
        except (KeyError, TypeError, ValueError):
            return fallback


def _fill(template: str, values: dict[str, Any]) -> str:
    """``template`` with its holes filled; a hole without a value raises ``KeyError``."""
    if values:
        return template % values
    if "%(" in template:
        raise KeyError(f"no values for {template!r}")
    return template


def _keep(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, StoredText):
        return value.as_json()
    if isinstance(value, list | tuple) and all(isinstance(v, StoredText) for v in value):
        return [v.as_json() for v in value]
    return str(value)


def _shown(value: Any) -> Any:
    """A stored value as it fills a hole: nested texts in the active language."""
    if isinstance(value, list):
        return ", ".join(str(_shown(v)) for v in value)
    text = StoredText.from_json(value)
    if text is not None:
        return str(text)
    return value
