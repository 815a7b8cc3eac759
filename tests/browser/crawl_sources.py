"""The English the code is written in, and the translations of it: what "untranslated" means.

A text on a French or Hindi page is *untranslated* when it is one of the English strings of the
source (the texts of the templates, the string literals of the Python code, the msgids of the
catalogues, Django's own messages) and is not, in the page's language, a translation of anything
(French keeps "Date" and "Type"; Hindi keeps "CMRT"). Placeholders (``%(count)s``, ``{name}``,
``{{ value }}``, the holes of f-strings) match any text. Rules, not page lists, set aside what a
user typed or a code: a text needs a word of three letters or more with a lower-case letter
("CMRT", "3TG", "2024-05-01" are not natural language), and a source string must read like
language (a space in it, or a capitalised word; ``needs_correction`` is an identifier).

The demo's own data (``demo*.py``), the tests and the migrations are not sources: what they hold
is what users type.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polib

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE = REPO_ROOT / "src" / "oretrace"

WORD = re.compile(r"[^\W\d_]{3,}")
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]"  # %(name)s
    r"|%[-#0 +]*\d*(?:\.\d+)?[sdifr]"  # %s %d %.1f
    r"|\{\{.*?\}\}"  # {{ template variable }}
    r"|\{[\w.]*(?:![rsa])?(?::[^{}]*)?\}"  # {name} {0} {} {x:.1f}
    r"|\x00"  # the hole of an f-string
)
TEMPLATE_NOISE = re.compile(
    r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|<script\b.*?</script>|<style\b.*?</style>",
    re.DOTALL,
)
TEMPLATE_TAG = re.compile(r"\{%.*?%\}", re.DOTALL)
TRANSLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1""", re.DOTALL)
BLOCK_TRANSLATE = re.compile(
    r"\{%\s*blocktrans(?:late)?\b.*?%\}(.*?)\{%\s*(?:plural|endblocktrans(?:late)?)\s*%\}",
    re.DOTALL,
)
HTML_TAG = re.compile(r"<[^>]*>", re.DOTALL)
ATTRIBUTE_TEXT = re.compile(
    r"""\b(?:placeholder|title|aria-label|alt|value)=(["'])([^"'{}<>]*?)\1""", re.IGNORECASE
)
# Punctuation around a text that does not make it another text; typographic quotes, dashes.
EDGE_PUNCTUATION = " \t\n:;,.·•|()[]*!?\"'«»…-\u2013\u2014\u201c\u201d\u2018\u2019"
NOT_SOURCES = re.compile(r"/tests/|/migrations/|/demo\w*\.py$|/management/commands/demo")


def normalise(text: str) -> str:
    """Whitespace collapsed, punctuation at the edges dropped ("Name:" is "Name")."""
    return " ".join(text.split()).strip(EDGE_PUNCTUATION)


def is_language(text: str) -> bool:
    """A text that could be natural language: a word of 3+ letters with a lower-case letter."""
    return any(w != w.upper() for w in WORD.findall(text))


def _reads_like_language(source: str) -> bool:
    literal = normalise(PLACEHOLDER.sub(" ", source))
    if not is_language(literal):
        return False
    stripped = literal
    if " " not in stripped and not (stripped[:1].isupper() and stripped[1:2].islower()):
        return False  # an identifier or a code word: "pending", "needs_correction"
    return not re.search(r"[_/\\=<>#@]|://|\.\w+\(", literal)  # paths, markup, code


def _pattern(source: str) -> str | None:
    """A regex for a source with placeholders, or None when it has none."""
    parts = PLACEHOLDER.split(source)
    if len(parts) == 1:
        return None
    return "".join(
        ("(?:.+?)" if i else "") + re.escape(re.sub(r"\s+", " ", part)).replace(r"\ ", r"\s+")
        for i, part in enumerate(parts)
    )


@dataclass
class TextSet:
    """Texts, exactly, and texts with holes, as one anchored regex."""

    exact: set[str] = field(default_factory=set)
    patterns: set[str] = field(default_factory=set)
    _regex: re.Pattern[str] | None = None

    def add(self, text: str) -> None:
        for piece in re.split(r"\s*<[^>]*>\s*|\n\s*\n", text):  # msgids may hold markup
            norm = normalise(piece)
            if not norm:
                continue
            pattern = _pattern(norm)
            if pattern is None:
                self.exact.add(norm)
            elif is_language(PLACEHOLDER.sub(" ", norm)):
                self.patterns.add(pattern)
        self._regex = None

    def update(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.add(text)

    def matches(self, text: str) -> bool:
        if text in self.exact:
            return True
        if not self.patterns:
            return False
        if self._regex is None:
            self._regex = re.compile("(?:" + "|".join(sorted(self.patterns)) + r")\Z", re.DOTALL)
        return self._regex.match(text) is not None


# --- where the English comes from --------------------------------------------------------------


def _template_strings(path: Path) -> Iterator[str]:
    text = TEMPLATE_NOISE.sub(" ", path.read_text(errors="replace"))
    for match in TRANSLATE_TAG.finditer(text):
        yield match.group(2)
    for match in BLOCK_TRANSLATE.finditer(text):
        yield match.group(1)
    for match in ATTRIBUTE_TEXT.finditer(text):
        yield match.group(2)
    # Literal text between tags, with {{ variables }} kept as holes.
    untagged = BLOCK_TRANSLATE.sub(" ", text)
    for chunk in HTML_TAG.split(untagged):
        for piece in TEMPLATE_TAG.split(chunk):
            if piece.strip():
                yield piece


def _python_strings(path: Path) -> Iterator[str]:
    try:
        tree = ast.parse(path.read_text(errors="replace"))
    except SyntaxError:
        return
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield "".join(v.value if isinstance(v, ast.Constant) else "\x00" for v in node.values)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and len(node.value) < 400
        ):
            yield node.value


def _is_source_file(path: Path) -> bool:
    return NOT_SOURCES.search(path.as_posix()) is None


def _django_catalogues(language: str) -> list[Path]:
    import django

    root = Path(django.__file__).parent
    return [
        root / "conf" / "locale" / language / "LC_MESSAGES" / "django.po",
        root / "contrib" / "auth" / "locale" / language / "LC_MESSAGES" / "django.po",
    ]


def _add_language(
    into: TextSet,
    paths: Iterable[Path],
    strings: Callable[[Path], Iterable[str]],
    *,
    sources_only: bool,
) -> None:
    """Add the texts of ``paths`` that read like language (skipping non-source files)."""
    for path in sorted(paths):
        if sources_only and not _is_source_file(path):
            continue
        into.update(text for text in strings(path) if _reads_like_language(text))


def _translated(language: str, english: TextSet) -> TextSet:
    """The translations in ``language`` (ours and Django's); our msgids are English too."""
    done = TextSet()
    catalogues = [PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"]
    for po_path in [*catalogues, *_django_catalogues(language)]:
        if not po_path.exists():
            continue
        from_django = not po_path.is_relative_to(PACKAGE)
        for entry in polib.pofile(str(po_path)):
            if entry.obsolete:
                continue
            if not from_django:  # a msgid nobody has used yet is English too
                english.update(t for t in (entry.msgid, entry.msgid_plural) if t)
            if not entry.fuzzy:
                done.update(t for t in (entry.msgstr, *entry.msgstr_plural.values()) if t)
    return done


@dataclass
class Sources:
    english: TextSet
    translations: dict[str, TextSet]  # language -> the texts that are translations in it

    @classmethod
    def load(
        cls,
        languages: Iterable[str],
        *,
        roots: Iterable[Path] = (PACKAGE,),
        extra_templates: Iterable[Path] = (),
    ) -> Sources:
        """The English of the code under ``roots`` (and any extra template folders)."""
        english = TextSet()
        for root in roots:
            _add_language(english, root.rglob("*.html"), _template_strings, sources_only=True)
            _add_language(english, root.rglob("*.py"), _python_strings, sources_only=True)
        for folder in extra_templates:
            _add_language(english, folder.rglob("*.html"), _template_strings, sources_only=False)
        translations = {language: _translated(language, english) for language in languages}
        return cls(english=english, translations=translations)

    def untranslated(self, texts: Iterable[str], language: str) -> list[str]:
        """The texts of a page in ``language`` that are still the English of the source."""
        done = self.translations.get(language, TextSet())
        found: list[str] = []
        for raw in texts:
            text = normalise(raw)
            if not text or not is_language(text) or text in found:
                continue
            if self.english.matches(text) and not done.matches(text):
                found.append(text)
        return found
