"""Pulse surveys as text: a survey's definition, the SMS that asks a question, a worker's
answer. Pure: no Django, no settings.

A definition is a few lines: a question, then its options, each starting with "-"; each line
gives its English text first, then other languages after " | " as ``xx: text``::

    Are you paid on time? | hi: क्या आपको समय पर भुगतान मिलता है?
    - Yes | hi: हाँ
    - No | hi: नहीं
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

LANGUAGES = ("en", "fr", "hi", "sw")
MAX_QUESTIONS = 5
MAX_OPTIONS = 9
MAX_CHARS = 160


class DefinitionError(ValueError):
    """A definition that cannot be read; the message names the line and what is wrong."""


class AnswerInvalid(ValueError):
    """An answer that is not the number of one of the question's options."""


@dataclass(frozen=True)
class Question:
    """One multiple-choice question: its text and its options, each by language."""

    text: dict[str, str]
    options: tuple[dict[str, str], ...]

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "options": list(self.options)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Question:
        return cls(dict(data["text"]), tuple(dict(o) for o in data["options"]))


def _texts(line: str, number: int) -> dict[str, str]:
    """{"en": ..., "hi": ...} of one line (English first, then ``xx: text`` parts)."""
    parts = [p.strip() for p in line.split("|")]
    texts: dict[str, str] = {}
    for index, part in enumerate(parts):
        found = re.fullmatch(r"([a-z]{2}):\s*(.+)", part)
        language, text = (found.group(1), found.group(2)) if found else ("en", part)
        if found is None and index > 0:
            raise DefinitionError(f"line {number}: after “|”, write a language and “:”, e.g. hi:")
        if language not in LANGUAGES:
            raise DefinitionError(
                f"line {number}: language {language!r} is not one of {', '.join(LANGUAGES)}"
            )
        if not text.strip():
            raise DefinitionError(f"line {number}: the {language} text is empty")
        if len(text) > MAX_CHARS:
            raise DefinitionError(f"line {number}: at most {MAX_CHARS} characters per text")
        texts[language] = text.strip()
    if "en" not in texts:
        raise DefinitionError(f"line {number}: give the English text first")
    return texts


def parse(definition: str) -> list[Question]:
    """The questions of a definition; ``DefinitionError`` naming the line otherwise."""
    questions: list[tuple[dict[str, str], list[dict[str, str]]]] = []
    for number, raw in enumerate(definition.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("-"):
            if not questions:
                raise DefinitionError(f"line {number}: an option comes after its question")
            questions[-1][1].append(_texts(line[1:].strip(), number))
            continue
        questions.append((_texts(line, number), []))
    if not questions:
        raise DefinitionError("the survey has no question")
    if len(questions) > MAX_QUESTIONS:
        raise DefinitionError(f"at most {MAX_QUESTIONS} questions (a pulse survey is short)")
    for index, (_text, options) in enumerate(questions, start=1):
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise DefinitionError(f"question {index}: give 2 to {MAX_OPTIONS} options")
    return [Question(text, tuple(options)) for text, options in questions]


def _in(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts["en"]


def question_sms(question: Question, index: int, total: int, language: str) -> str:
    """The SMS that asks one question: "1/3 Are you paid on time? 1 Yes, 2 No"."""
    options = ", ".join(f"{n} {_in(o, language)}" for n, o in enumerate(question.options, 1))
    return f"{index + 1}/{total} {_in(question.text, language)} {options}"


def read_answer(text: str, question: Question) -> int:
    """The option chosen (0-based) by an answer "2"; ``AnswerInvalid`` for anything else."""
    kept = text.strip().rstrip(".")
    if not kept.isdigit() or not 1 <= int(kept) <= len(question.options):
        raise AnswerInvalid(kept)
    return int(kept) - 1
