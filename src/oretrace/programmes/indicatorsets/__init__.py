"""Indicator sets as versioned data: YAML text in, an ``IndicatorSet`` or errors out.

A set file names the set (``set``), its ``version`` (a whole number; a new version is a new
file, so what a visit recorded under an older version keeps its meaning), a title and the
indicators, each with a ``code``, a ``unit`` (``percent`` or ``count``), which direction is
better (``better: higher|lower``) and its title in every language the set offers
(``title: {en: …, fr: …, hi: …}``). Every error names the file, the field and the line.

Pure: no Django, no settings; the app's ``catalogue`` reads the shipped files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from oretrace.core import yamlfile

MAX_DEPTH = 16  # a set file nests 4 levels
UNITS = ("percent", "count")
BETTER = ("higher", "lower")
LANGUAGES = ("en", "fr", "hi")
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,59}$")


@dataclass(frozen=True)
class Indicator:
    code: str
    unit: str
    better: str
    titles: dict[str, str]

    def title(self, language: str) -> str:
        return self.titles.get(language[:2]) or self.titles["en"]


@dataclass(frozen=True)
class IndicatorSet:
    slug: str
    version: int
    titles: dict[str, str]
    indicators: tuple[Indicator, ...]

    def title(self, language: str) -> str:
        return self.titles.get(language[:2]) or self.titles["en"]

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)


@dataclass(frozen=True)
class SetError:
    """One thing wrong in a set file: where (file, field, line) and what."""

    file: str
    field: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}, {self.field}: {self.message}"


class IndicatorSetInvalid(ValueError):
    """A set file that cannot be used; ``errors`` lists every problem found."""

    def __init__(self, errors: list[SetError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class _Reader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.errors: list[SetError] = []

    def fail(self, node: yaml.Node | None, field: str, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.errors.append(SetError(self.filename, field, line, message))

    def mapping(self, node: yaml.Node, field: str) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, field, "expected a mapping (key: value lines)")
            return None
        found: dict[str, yaml.Node] = {}
        for key, value in node.value:
            name = str(key.value)
            if name in found:
                self.fail(key, f"{field}.{name}".lstrip("."), "given twice")
            found[name] = value
        return found

    def text(self, node: yaml.Node | None, field: str, parent: yaml.Node) -> str:
        if node is None:
            self.fail(parent, field, "missing")
            return ""
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.fail(node, field, "expected a non-empty text")
            return ""
        return str(node.value).strip()

    def titles(self, node: yaml.Node | None, field: str, parent: yaml.Node) -> dict[str, str]:
        if node is None:
            self.fail(parent, field, "missing")
            return {}
        found = self.mapping(node, field)
        if found is None:
            return {}
        titles = {lang: self.text(found.get(lang), f"{field}.{lang}", node) for lang in LANGUAGES}
        for extra in sorted(set(found) - set(LANGUAGES)):
            self.fail(found[extra], f"{field}.{extra}", f"unknown language; use {LANGUAGES}")
        return titles

    def choice(
        self, node: yaml.Node | None, field: str, parent: yaml.Node, allowed: tuple[str, ...]
    ) -> str:
        value = self.text(node, field, parent)
        if value and value not in allowed:
            self.fail(node, field, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def indicator(self, node: yaml.Node, field: str, seen: set[str]) -> Indicator | None:
        found = self.mapping(node, field)
        if found is None:
            return None
        code = self.text(found.get("code"), f"{field}.code", node)
        if code and not _CODE.match(code):
            self.fail(found["code"], f"{field}.code", "use lower-case letters, digits and _")
        elif code in seen:
            self.fail(found["code"], f"{field}.code", f"{code!r} is used twice in the set")
        seen.add(code)
        unit = self.choice(found.get("unit"), f"{field}.unit", node, UNITS)
        better = self.choice(found.get("better"), f"{field}.better", node, BETTER)
        titles = self.titles(found.get("title"), f"{field}.title", node)
        return Indicator(code, unit, better, titles)


def _version(reader: _Reader, node: yaml.Node | None, root: yaml.Node) -> int:
    text = reader.text(node, "version", root)
    if text and not text.isdigit():
        reader.fail(node, "version", f"{text!r} is not a whole number")
        return 0
    return int(text) if text else 0


def parse(text: str | bytes, filename: str) -> IndicatorSet:
    """The set in ``text`` (read from ``filename``, named in errors); ``IndicatorSetInvalid``
    listing every problem when it cannot be used (a file that is not UTF-8 or YAML, or holds
    aliases or deep nesting, is refused whole: ``core.yamlfile``)."""
    reader = _Reader(filename)
    try:
        root, _data = yamlfile.load(text, max_depth=MAX_DEPTH)
    except yamlfile.YamlFileError as exc:
        raise IndicatorSetInvalid(
            [SetError(filename, "(file)", exc.line or 1, exc.problem)]
        ) from None
    if root is None:
        raise IndicatorSetInvalid([SetError(filename, "(file)", 1, "the file is empty")])
    top = reader.mapping(root, "")
    if top is None:
        raise IndicatorSetInvalid(reader.errors)
    slug = reader.text(top.get("set"), "set", root)
    version = _version(reader, top.get("version"), root)
    titles = reader.titles(top.get("title"), "title", root)
    items = top.get("indicators")
    indicators: list[Indicator] = []
    if not isinstance(items, yaml.SequenceNode) or not items.value:
        reader.fail(items or root, "indicators", "expected a list of at least one indicator")
    else:
        seen: set[str] = set()
        for index, node in enumerate(items.value):
            found = reader.indicator(node, f"indicators[{index}]", seen)
            if found is not None:
                indicators.append(found)
    if reader.errors:
        raise IndicatorSetInvalid(reader.errors)
    return IndicatorSet(slug, version, titles, tuple(indicators))
