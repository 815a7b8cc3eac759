"""How well two facility names' words match: the word alignment of the engine's score.

The engine (``engine.Matcher``) scores a candidate name as a weighted sum of this alignment and
a letter similarity. Here is the alignment: each word of either side looks for the most
similar word on the other side (a misspelt word counts when its Indel similarity is at least
``TOKEN_SIMILARITY`` and costs ``TYPO_COST`` of its difference; numbers and words of fewer
than three letters must match exactly; words written together on one side and apart on the
other are paired), weighted by its inverse document frequency. Pure: no Django, no ORM.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

from rapidfuzz.distance import OSA, Indel

from oretrace.registry.matching.normalise import LEGAL_FORMS

# Tuning constants, chosen on the benchmark (see "Calibration" in ``engine``).
TOKEN_SIMILARITY = 0.75  # Indel similarity from which two words are one word, misspelt
SHORT_WORD_SIMILARITY = 0.8  # below it, only words of equal length ("alro"/"adro") are paired
TYPO_COST = 0.5  # share of a misspelt word's dissimilarity that is taken off its weight
FUSED_SIMILARITY = 0.9  # similarity needed between "ecosystem" and "eco" + "system"
LEGAL_LOOKALIKE_WEIGHT = 0.2  # weight of an unmatched word one typo away from a legal form


def alignment(
    words: QueryWords,
    theirs: tuple[str, ...],
    fused: bool,
    idf: dict[str, float],
    unseen: float,
) -> float:
    """Share of both sides' IDF weight (``idf``; ``unseen`` for a word no candidate uses)
    whose words find a partner on the other side."""
    mine = words.tokens
    matched = total = 0.0
    for index, token in enumerate(mine):
        row = words.rows[index]
        similarity, partner = 0.0, ""
        for other in theirs:
            value = row.get(other)
            if value is not None and value > similarity:
                similarity, partner = value, other
        if not similarity and fused:
            similarity, partner = _fused_partner(index, mine, theirs)
        # A word no candidate uses (a typo, an invented name) weighs like its partner, or
        # like the rarest word when it has none.
        weight = idf.get(token) or (idf.get(partner, unseen) if partner else unseen)
        total, matched = _tally(token, similarity, weight, total, matched)
    for index, token in enumerate(theirs):
        similarity = words.best.get(token, 0.0)
        if not similarity and fused:
            similarity, _partner = _fused_partner(index, theirs, mine)
        total, matched = _tally(token, similarity, idf.get(token, unseen), total, matched)
    return matched / total if total else 0.0


_LEGAL_LONG = tuple(f for f in LEGAL_FORMS if len(f) >= 3)


@lru_cache(maxsize=65536)
def looks_legal(token: str) -> bool:
    """A misspelt legal form ("Ltd" typed "Ldt", "Pvt" typed "Ptv"), which should cost little."""
    if len(token) < 2 or token.isdigit():
        return False
    return any(OSA.distance(token, form, score_cutoff=1) <= 1 for form in _LEGAL_LONG)


class QueryWords:
    """A query's words with their similar block words, and the best similarity per block word."""

    __slots__ = ("best", "rows", "tokens")

    def __init__(self, tokens: tuple[str, ...], table: dict[str, dict[str, float]]):
        self.tokens = tokens
        self.rows = [table[t] for t in tokens]
        self.best: dict[str, float] = {}
        for row in self.rows:
            for other, value in row.items():
                if value > self.best.get(other, 0.0):
                    self.best[other] = value


def _tally(
    token: str, similarity: float, weight: float, total: float, matched: float
) -> tuple[float, float]:
    if similarity:
        # A misspelt word is still the same word: it costs only a share of its difference.
        matched += weight * (1.0 - (1.0 - similarity) * TYPO_COST)
    elif looks_legal(token):
        weight *= LEGAL_LOOKALIKE_WEIGHT
    return total + weight, matched


def fuzzy_word(word: str) -> bool:
    """Numbers and words under three letters must match exactly."""
    return len(word) >= 3 and not word.isdigit()


def _fused_partner(index: int, mine: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[float, str]:
    """A partner for a word written apart or together on one side: "eco system" / "ecosystem"."""
    token = mine[index]
    best, partner = _best_partner(
        token, tuple(a + b for a, b in pairwise(theirs)), FUSED_SIMILARITY
    )
    for together in (
        mine[index - 1] + token if index > 0 else "",
        token + mine[index + 1] if index + 1 < len(mine) else "",
    ):
        if together:
            similarity, other = _best_partner(together, theirs, FUSED_SIMILARITY)
            if similarity > best:
                best, partner = similarity, other
    return best, partner


def _best_partner(
    token: str, others: tuple[str, ...], threshold: float = TOKEN_SIMILARITY
) -> tuple[float, str]:
    """The most similar word of ``others`` at or above ``threshold``, or (0, '')."""
    best, partner = 0.0, ""
    size = len(token)
    # Indel similarity s needs |len(a) - len(b)| <= (1 - s) * (len(a) + len(b)): skip early.
    slack = 1.0 - threshold
    for other in others:
        if other == token:
            return 1.0, other
        if abs(len(other) - size) > slack * (len(other) + size):
            continue
        similarity = _similarity(token, other)
        if similarity >= threshold and similarity > best:
            best, partner = similarity, other
    return best, partner


@lru_cache(maxsize=262144)
def _similarity(token: str, other: str) -> float:
    """Indel similarity of two different words; 0 for numbers and words under three letters."""
    if not (fuzzy_word(token) and fuzzy_word(other)):
        return 0.0
    return Indel.normalized_similarity(token, other)
