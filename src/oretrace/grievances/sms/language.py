"""The language an SMS is most likely written in, to answer in it: Hindi by its script
(Devanagari), French and Swahili by their most common short words, English otherwise. Pure.

A guess from a few words is often wrong on a short text; it only chooses the language of our
answers (the receipt, the replies' prefix), which the reporter can read on the web in another.
"""

from __future__ import annotations

import re

_FRENCH = "le la les des une est pas pour que qui dans avec nous vous ils sont mais je au aux"
_SWAHILI = "na ya wa kwa ni hii katika sisi wao hakuna kazi mshahara watoto mgodi hatujalipwa"
_WORDS = {"fr": frozenset(_FRENCH.split(" ")), "sw": frozenset(_SWAHILI.split(" "))}
_WORD = re.compile(r"[^\W\d_]+")


def guess(text: str) -> str:
    """``hi``, ``fr``, ``sw`` or ``en``."""
    if any("\u0900" <= ch <= "\u097f" for ch in text):
        return "hi"
    words = [w.lower() for w in _WORD.findall(text)]
    scores = {code: sum(w in known for w in words) for code, known in _WORDS.items()}
    best = max(scores, key=lambda code: scores[code])
    return best if scores[best] >= 2 else "en"
