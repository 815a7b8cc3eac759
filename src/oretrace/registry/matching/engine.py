"""The matching engine: from a name a supplier typed to a registry facility, fast and explained.

Pure: it works on `Candidate` values the caller loads (one per facility name or alias) and never
touches the ORM, so the registry can rebuild a `Matcher` after an import (about 25 ms for the
~1,300 names of every RMI look-up) and the benchmark can run it without a database.

How a name is matched, in order
-------------------------------
1. **Identifier.** When the query carries an identifier (a CID, an old CFSI ID, any scheme) that
   is among a candidate's identifiers, that facility is the answer: score 100, ``auto`` (``review``
   if the identifier belongs to more than one facility). An unknown identifier is ignored.
   An identifier of a facility recorded only for other metals than the query's is ``review``
   (``other_metal``): a cobalt row cannot be settled by a tin smelter's ID alone.
2. **Exact normalised name** (`normalise`) within the metal: one facility with that name is an
   ``auto`` match at 100. Several facilities with the same name are narrowed to those in the
   query's country, then to those spelt exactly like the query with their legal form (the RMI
   list has "Johnson Matthey Inc." and "Johnson Matthey Limited" as two smelters); if more than
   one is left the outcome is ``review``; if the only one is in another country, ``review`` at
   100 minus ``COUNTRY_PENALTY``. Trailing words one typo away from a legal form ("Lmited") that no
   candidate uses are dropped from the query first.
3. **Fuzzy.** The block is the candidates of the query's metal and country; the metal's
   candidates when the country is unknown or has none; all candidates when the metal is unknown
   or has none (see "never across metals" below). `rapidfuzz.process.cdist` scores the whole
   block of a batch of queries at once (``token_set_ratio``) and keeps the best ``PRESELECT``
   names per query, which are re-ranked:

   * **word alignment** (weight ``TOKEN_WEIGHT``): every word on each side is paired with its
     most similar word on the other side (a misspelt word counts when its Indel similarity is at
     least ``TOKEN_SIMILARITY`` and costs ``TYPO_COST`` of its difference; numbers and words of
     one or two letters must be equal; "eco system" pairs with "ecosystem"); each word weighs its
     inverse document frequency over all candidate names, so a missing or different
     *distinctive* word ("Xinda", "Naoshima", "East" vs "West") costs much more than a common one
     ("metal", "jiangxi", "new"). The word similarities of a batch come from one more cdist call
     over the block's vocabulary.
   * **letters** (the rest): the best of the plain ratio, the token-sorted ratio and the ratio
     without spaces (which lets the pinyin ``Yunnan`` meet the per-syllable ``yun nan`` of a
     transliterated Chinese name).
   * minus ``COUNTRY_PENALTY`` when both countries are known and differ.

   If the country block's best score is below the ``auto`` threshold, the rest of the metal's
   candidates are scored too (a supplier may have given its own country), with that penalty.
   **Never across metals.** When the query names a metal that no candidate has, the names of
   other metals are still looked at (exact and fuzzy), but only as suggestions: they lose
   ``METAL_PENALTY`` points, carry ``other_metal`` and are never ``auto`` (a cobalt refiner is
   not the same-named refiner of another metal). A query without a metal is not across metals.
4. **Outcome.** ``auto`` only when the best facility scores at least ``thresholds.auto`` *and*
   beats the best *other* facility by at least ``thresholds.margin``; ``review`` when it scores
   at least ``thresholds.review``; ``none`` otherwise. Candidates are returned best first for
   every outcome (at most ``limit``, one per facility, with the name that matched).

Calibration
-----------
On ``benchmarks/matching.py`` (every alias of every blank RMI template in ../shared/data: 1,299
names of 786 smelters; 1,285 real aliases, 4,479 generated noisy variants, 1,023 names that are
not in the list — 723 invented names and real companies that are not smelters, 300 "near
misses": real two-to-five-word names with their rarest word replaced — and 816 held-out aliases
matched without their own row). ``--calibrate`` prints the sweeps these come from:

* **auto = 90.** The highest score a name not in the list reached is 85.2 (a near miss;
  invented names and real non-smelters stay below 65): at 85 one of them is auto-matched, at 80
  thirteen. At 90 every auto-match of a noisy variant and of a held-out alias is right
  (100 % of 186 held-out auto-matches, where the right name is missing on purpose). At 88 four
  held-out aliases go wrong: the same name in another country scores 100 - 12 = 88 ("Johnson
  Matthey Inc." in the US and "Johnson Matthey Limited" in Canada are two smelters, so are the
  two TANIOBIS), so ``auto`` must stay above 100 - ``COUNTRY_PENALTY``. At 92 a twentieth fewer
  typos are auto-matched for no gain in precision.
* **margin = 5.** Above 90 it rarely decides between two different names, but without it a
  misspelt name that two facilities share ("Ruashi Minin SAS": "Ruashi Mining SAS" has two CIDs)
  would be auto-matched to one of them.
* **review = 60.** 99.5 % of the right answers to typos and 74 % of the right held-out answers
  score at least 60 (at 70: 97 % and 60 %), and so do 18 % of the names not in the list — 180
  of the 300 near misses, 6 of the 723 others — which is what a reviewer should look at.
* Word-level constants were chosen on the same sweeps: ``TOKEN_WEIGHT`` 0.6 (0.5 and 0.7 within
  a point), ``TYPO_COST`` 0.5 (1.0 auto-matches 6 points fewer typos), ``SHORT_WORD_SIMILARITY``
  0.8 (0.75 for any length paired "zijin" with "jin"), ``PRESELECT`` 8 (16 and 32 were no better
  and slower), the ``token_set_ratio`` pre-scorer (1.2 to 1.5 points of held-out top-1 ahead of
  ``ratio``, ``token_sort_ratio`` and ``WRatio``). A flat penalty per unmatched
  word was tried and dropped: it cost 2.5 to 9 points of held-out top-1. Top-1 on the real
  aliases is 100 % with any of them: they are found by the exact step.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from oretrace.registry.matching.normalise import (
    country_code,
    metal_code,
    normalise,
    normalise_identifier,
    spelling,
)
from oretrace.registry.matching.scoring import (
    SHORT_WORD_SIMILARITY,
    TOKEN_SIMILARITY,
    QueryWords,
    alignment,
    fuzzy_word,
    looks_legal,
)

AUTO, REVIEW, NONE = "auto", "review", "none"


@dataclass(frozen=True)
class Candidate:
    """One name of one facility: its standard name, an alias, a name in another script."""

    facility_id: int
    name: str
    metal: str
    country: str
    identifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scored:
    """A facility proposed for a query, with its score (0 to 100) and the name that matched."""

    facility_id: int
    score: float
    matched_name: str
    other_metal: bool = False  # recorded for other metals than the query's: a suggestion only


@dataclass(frozen=True)
class MatchResult:
    """The outcome for one query: ``auto``, ``review`` or ``none``, and the best candidates."""

    query: str
    outcome: str
    candidates: tuple[Scored, ...]


@dataclass(frozen=True)
class Thresholds:
    """Scores that decide the outcome; see the module docstring for how they were calibrated."""

    auto: float
    review: float
    margin: float


DEFAULT_THRESHOLDS = Thresholds(auto=90.0, review=60.0, margin=5.0)

# Tuning constants, chosen on the benchmark (see "Calibration" above).
PRESELECT = 8  # names kept per query from the cdist pass for re-ranking
TOKEN_WEIGHT = 0.6  # share of the word alignment in the score; the rest is letter similarity
COUNTRY_PENALTY = 12.0  # points off when both countries are known and differ
METAL_PENALTY = 15.0  # points off a name of another metal than the query's (never auto)
FUSED_GATE = 80  # space-free ratio from which words written together or apart are looked for


@dataclass(frozen=True)
class _Forms:
    """A name in the forms the scoring compares: normalised, without spaces, as words, and its
    spelling key; with the metal and country it was given with (both normalised codes)."""

    name: str
    norm: str
    compact: str
    tokens: tuple[str, ...]
    metal: str
    country: str
    spelling: str


@dataclass(frozen=True)
class _Entry(_Forms):
    """A candidate's name."""

    facility_id: int


@dataclass(frozen=True)
class _Query(_Forms):
    """A name to match, and its place in the caller's list."""

    index: int


class Matcher:
    """Matches names against a fixed set of candidates; build a new one when they change."""

    def __init__(self, candidates: Iterable[Candidate], thresholds: Thresholds | None = None):
        self.thresholds = thresholds or DEFAULT_THRESHOLDS
        self._entries: list[_Entry] = []
        self._by_identifier: dict[str, set[int]] = defaultdict(set)
        self._facility_entries: dict[int, list[int]] = defaultdict(list)
        seen: set[tuple[int, str, str]] = set()
        for candidate in candidates:
            metal = _metal(candidate.metal)
            for identifier in candidate.identifiers:
                if key := normalise_identifier(identifier):
                    self._by_identifier[key].add(candidate.facility_id)
            norm = normalise(candidate.name)
            if not norm or (candidate.facility_id, metal, norm) in seen:
                continue
            seen.add((candidate.facility_id, metal, norm))
            self._facility_entries[candidate.facility_id].append(len(self._entries))
            self._entries.append(
                _Entry(
                    facility_id=candidate.facility_id,
                    name=candidate.name,
                    norm=norm,
                    compact=norm.replace(" ", ""),
                    tokens=tuple(norm.split()),
                    metal=metal,
                    country=country_code(candidate.country) if candidate.country else "",
                    spelling=spelling(candidate.name),
                )
            )
        self._exact: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
        document_frequency: Counter[str] = Counter()
        for index, entry in enumerate(self._entries):
            self._exact[(entry.metal, entry.norm)].append(index)
            self._exact[("", entry.norm)].append(index)
            self._blocks[(entry.metal, "")].append(index)
            self._blocks[(entry.metal, entry.country)].append(index)
            self._blocks[("", "")].append(index)
            document_frequency.update(set(entry.tokens))
        total = max(len(self._entries), 1)
        self._idf = {t: math.log(1 + total / n) for t, n in document_frequency.items()}
        self._unseen_idf = math.log(1 + total)
        self._choices = {k: [self._entries[i].norm for i in v] for k, v in self._blocks.items()}
        self._vocabulary: dict[tuple[str, str], tuple[frozenset[str], list[str]]] = {}
        for block, members in self._blocks.items():
            vocabulary = frozenset(t for i in members for t in self._entries[i].tokens)
            self._vocabulary[block] = (vocabulary, sorted(w for w in vocabulary if fuzzy_word(w)))

    # --- public ---------------------------------------------------------------------------------

    def match(
        self, name: str, *, metal: str = "", country: str = "", identifier: str = "", limit: int = 5
    ) -> MatchResult:
        """Match one name; see the module docstring for the steps and outcomes."""
        return self.match_many([(name, metal, country, identifier)], limit=limit)[0]

    def match_many(
        self, queries: Sequence[tuple[str, str, str, str]], limit: int = 5
    ) -> list[MatchResult]:
        """Match many ``(name, metal, country, identifier)`` queries, one cdist call per block."""
        results: list[MatchResult | None] = [None] * len(queries)
        pending: dict[tuple[str, str], list[_Query]] = defaultdict(list)
        for index, (name, metal, country, identifier) in enumerate(queries):
            query = self._prepare(index, name, metal, country)
            settled = self._by_id(query, identifier, limit) or self._exact_match(query, limit)
            if settled is not None:
                results[index] = settled
            elif not query.norm:
                results[index] = MatchResult(name, NONE, ())
            else:
                pending[self._block_key(query)].append(query)
        fallback: dict[tuple[str, str], list[tuple[_Query, dict[int, Scored]]]] = defaultdict(list)
        for block, batch in pending.items():
            for query, scored in zip(batch, self._fuzzy(block, batch), strict=True):
                best = max((s.score for s in scored.values()), default=0.0)
                if block[1] and best < self.thresholds.auto:
                    fallback[(block[0], "")].append((query, scored))
                else:
                    results[query.index] = self._outcome(query.name, scored, limit)
        for block, items in fallback.items():
            batch = [query for query, _ in items]
            for (query, scored), wider in zip(items, self._fuzzy(block, batch), strict=True):
                for facility, candidate in wider.items():
                    if facility not in scored or candidate.score > scored[facility].score:
                        scored[facility] = candidate
                results[query.index] = self._outcome(query.name, scored, limit)
        return [r for r in results if r is not None]

    # --- steps ----------------------------------------------------------------------------------

    def _prepare(self, index: int, name: str, metal: str, country: str) -> _Query:
        norm = self._strip_misspelt_legal_forms(normalise(name))
        return _Query(
            index=index,
            name=name,
            norm=norm,
            compact=norm.replace(" ", ""),
            tokens=tuple(norm.split()),
            metal=_metal(metal),
            country=country_code(country) if country else "",
            spelling=spelling(name),
        )

    def _strip_misspelt_legal_forms(self, norm: str) -> str:
        """Drop trailing words one typo away from a legal form ("Lmited", "Ltdd", "Corporatin")
        that no candidate uses: normalisation could not recognise them, and as unknown words
        they would count as the most distinctive ones."""
        words = norm.split()
        while len(words) > 1 and words[-1] not in self._idf and looks_legal(words[-1]):
            words.pop()
        return " ".join(words)

    def _block_key(self, query: _Query) -> tuple[str, str]:
        metal = query.metal if (query.metal, "") in self._blocks else ""
        if query.country and (metal, query.country) in self._blocks and metal:
            return (metal, query.country)
        return (metal, "")

    def _by_id(self, query: _Query, identifier: str, limit: int) -> MatchResult | None:
        facilities = (
            self._by_identifier.get(normalise_identifier(identifier)) if identifier else None
        )
        if not facilities:
            return None
        scored = []
        for facility in sorted(facilities):
            entries = self._facility_entries.get(facility, [])
            name = max(
                (self._entries[i].name for i in entries),
                key=lambda n: fuzz.ratio(normalise(n), query.norm),
                default=query.name,
            )
            metals = {self._entries[i].metal for i in entries} - {""}
            other = bool(query.metal and metals and query.metal not in metals)
            score = 100.0 - METAL_PENALTY if other else 100.0
            scored.append(Scored(facility, score, name, other))
        scored.sort(key=lambda s: (-s.score, s.facility_id))
        outcome = AUTO if len(scored) == 1 and not scored[0].other_metal else REVIEW
        return MatchResult(query.name, outcome, tuple(scored[:limit]))

    def _exact_match(self, query: _Query, limit: int) -> MatchResult | None:
        metal = query.metal if (query.metal, "") in self._blocks else ""
        hits = self._exact.get((metal, query.norm)) if query.norm else None
        if not hits:
            return None
        if query.metal and not metal:
            return self._other_metal_exact(query, hits, limit)
        by_facility: dict[int, _Entry] = {}
        for i in hits:
            by_facility.setdefault(self._entries[i].facility_id, self._entries[i])
        entries = list(by_facility.values())
        if query.country:
            local = [e for e in entries if e.country == query.country]
            if local:
                entries = local
        if len(entries) > 1:
            # Names that differ only by legal form can be different facilities in the RMI list
            # ("Johnson Matthey Inc." and "Johnson Matthey Limited"): the full spelling decides.
            spelt = [
                e
                for e in entries
                if any(
                    self._entries[i].spelling == query.spelling
                    for i in hits
                    if self._entries[i].facility_id == e.facility_id
                )
            ]
            if len(spelt) == 1:
                entries = spelt
        foreign = bool(query.country) and all(
            e.country and e.country != query.country for e in entries
        )
        score = 100.0 - COUNTRY_PENALTY if foreign else 100.0
        scored = tuple(Scored(e.facility_id, score, e.name) for e in entries)
        outcome = AUTO if len(scored) == 1 and not foreign else REVIEW
        return MatchResult(query.name, outcome, scored[:limit])

    def _other_metal_exact(self, query: _Query, hits: list[int], limit: int) -> MatchResult:
        """The query's metal has no candidates, but facilities of other metals carry the name:
        suggestions for a reviewer, never an automatic match."""
        by_facility: dict[int, _Entry] = {}
        for i in hits:
            by_facility.setdefault(self._entries[i].facility_id, self._entries[i])
        scored = sorted(
            (
                Scored(
                    e.facility_id,
                    100.0
                    - METAL_PENALTY
                    - (
                        COUNTRY_PENALTY
                        if query.country and e.country not in ("", query.country)
                        else 0.0
                    ),
                    e.name,
                    True,
                )
                for e in by_facility.values()
            ),
            key=lambda s: (-s.score, s.facility_id),
        )
        return MatchResult(query.name, REVIEW, tuple(scored[:limit]))

    def _fuzzy(self, block: tuple[str, str], batch: list[_Query]) -> list[dict[int, Scored]]:
        """Per query: facility → its best-scoring name in the block."""
        indices = self._blocks.get(block, [])
        if not indices:
            return [{} for _ in batch]
        matrix = process.cdist(
            [q.norm for q in batch],
            self._choices[block],
            scorer=fuzz.token_set_ratio,
            dtype=np.uint8,
        )
        keep = min(PRESELECT, len(indices))
        if keep < len(indices):
            top = np.argpartition(-matrix.astype(np.int16), keep - 1, axis=1)[:, :keep]
        else:
            top = np.tile(np.arange(len(indices)), (len(batch), 1))
        table = self._word_similarities({t for q in batch for t in q.tokens}, block)
        results = []
        for row, query in enumerate(batch):
            words = QueryWords(query.tokens, table)
            best: dict[int, Scored] = {}
            for column in top[row].tolist():
                entry = self._entries[indices[column]]
                score = self._score(query, words, entry)
                other = bool(query.metal) and entry.metal != query.metal
                if other:
                    score = round(max(score - METAL_PENALTY, 0.0), 1)
                current = best.get(entry.facility_id)
                if current is None or score > current.score:
                    best[entry.facility_id] = Scored(entry.facility_id, score, entry.name, other)
            results.append(best)
        return results

    def _word_similarities(
        self, words: set[str], block: tuple[str, str]
    ) -> dict[str, dict[str, float]]:
        """Query word → {block word: similarity ≥ TOKEN_SIMILARITY}, from one cdist call."""
        vocabulary, fuzzy = self._vocabulary[block]
        table: dict[str, dict[str, float]] = {w: {w: 1.0} if w in vocabulary else {} for w in words}
        eligible = [w for w in words if fuzzy_word(w)]
        if eligible and fuzzy:
            matrix = process.cdist(
                eligible,
                fuzzy,
                scorer=Indel.normalized_similarity,
                score_cutoff=TOKEN_SIMILARITY,
                dtype=np.float32,
            )
            rows, columns = np.nonzero(matrix)
            for row, column, value in zip(
                rows.tolist(), columns.tolist(), matrix[rows, columns].tolist(), strict=True
            ):
                word, other = eligible[row], fuzzy[column]
                if value >= SHORT_WORD_SIMILARITY or len(word) == len(other):
                    table[word][other] = value
        return table

    def _score(self, query: _Query, words: QueryWords, entry: _Entry) -> float:
        compact = fuzz.ratio(query.compact, entry.compact)
        characters = max(
            fuzz.ratio(query.norm, entry.norm),
            fuzz.token_sort_ratio(query.norm, entry.norm),
            compact,
        )
        # Looking for words written together on one side and apart on the other is only worth
        # it when the names are close letter for letter.
        fused = compact >= FUSED_GATE
        score = (
            TOKEN_WEIGHT
            * 100.0
            * alignment(words, entry.tokens, fused, self._idf, self._unseen_idf)
        )
        score += (1 - TOKEN_WEIGHT) * characters
        if query.country and entry.country and query.country != entry.country:
            score -= COUNTRY_PENALTY
        return round(max(score, 0.0), 1)

    def _outcome(self, query: str, scored: dict[int, Scored], limit: int) -> MatchResult:
        ranked = sorted(scored.values(), key=lambda s: (-s.score, s.facility_id))
        if not ranked:
            return MatchResult(query, NONE, ())
        best = ranked[0].score
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if (
            best >= self.thresholds.auto
            and best - runner_up >= self.thresholds.margin
            and not ranked[0].other_metal
        ):
            outcome = AUTO
        elif best >= self.thresholds.review:
            outcome = REVIEW
        else:
            outcome = NONE
        return MatchResult(query, outcome, tuple(ranked[:limit]))


def _metal(text: str) -> str:
    return metal_code(text) if text else ""
