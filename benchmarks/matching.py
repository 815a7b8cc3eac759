"""Smelter matching: oretrace's Matcher against difflib on the RMI alias benchmark, same run.

Budgets (ARCHITECTURE.md): >= 5,000 names/s, >= 98 % top-1 on real RMI aliases, 0 false
auto-matches on names that are not in the list.

    .venv/bin/python benchmarks/matching.py [--rounds 5] [--difflib-sample 300] [--calibrate]

The labelled set is built from the Smelter Look-up sheet of every template in
../shared/data/rmi-templates/blank (read with oretrace's own parser): each alias row is a
ground-truth pair alias -> CID, and the candidates are the union of every CID's names (aliases and
standard names, all template versions). The query sets:

* **real**: every distinct (metal, alias), with the country of its row. The alias is among the
  candidates, so this measures normalisation and blocking, not fuzziness.
* **held-out**: the same aliases, each matched against the candidates *without its own alias
  row* (only aliases whose smelter has another name); the honest top-1 figure.
* **noisy**: generated from each alias: a typo (one edit, two for long names), legal forms
  dropped, case and punctuation changed, and word order swapped.
* **unknown**: names that are not in the list: invented company names (some built from the
  place and trade words real smelter names use) and real companies that are not smelters, each
  with a metal and a country. None may be matched ``auto``.

Accuracy is deterministic (seeded); throughput is the median over ``--rounds`` runs of
``Matcher.match_many`` over every query set at once. The difflib baseline runs
``difflib.get_close_matches`` over the same candidates within the same metal (lower-cased names),
on a sample of queries because it is slow; its rate is measured on that sample.
"""

from __future__ import annotations

import argparse
import difflib
import random
import re
import statistics
import string
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from oretrace.registry.matching import Candidate, Matcher, MatchResult, Thresholds, normalise
from oretrace.registry.reference_files import read_reference_file

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
TEMPLATES = DATA / "rmi-templates" / "blank"

Query = tuple[str, str, str, str]  # name, metal, country, identifier


@dataclass
class LabelledSet:
    candidates: list[Candidate]
    truth: dict[tuple[str, str], set[int]]  # (metal, alias) -> facility ids
    aliases: list[tuple[str, str, str]]  # (alias, metal, country), distinct (metal, alias)


def facility_number(cid: str) -> int:
    return int(cid[3:])


def build_labelled_set(folder: Path = TEMPLATES) -> LabelledSet:
    """Every alias row of every template's Smelter Look-up: (alias, metal) -> CIDs."""
    names: dict[tuple[int, str, str], str] = {}  # (facility, metal, name) -> country
    truth: dict[tuple[str, str], set[int]] = defaultdict(set)
    aliases: dict[tuple[str, str], str] = {}
    for path in sorted(folder.rglob("*.xls*")):
        try:
            reference = read_reference_file(path.read_bytes(), path.name)
        except ValueError:
            continue  # AMRT 1.2 has no Smelter Look-up sheet
        for row in reference.rows:
            if not row.facility_id:
                continue
            facility = facility_number(row.facility_id)
            truth[(row.metal, row.name)].add(facility)
            aliases.setdefault((row.metal, row.name), row.country)
            for name in (row.name, row.standard_name):
                if name:
                    names.setdefault((facility, row.metal, name), row.country)
    candidates = [
        Candidate(facility, name, metal, country, (f"CID{facility:06d}",))
        for (facility, metal, name), country in names.items()
    ]
    return LabelledSet(
        candidates=candidates,
        truth=dict(truth),
        aliases=[(alias, metal, country) for (metal, alias), country in aliases.items()],
    )


# --- noisy variants -------------------------------------------------------------------------

_LEGAL = re.compile(
    r"[,\s]*\b(?:Co\.?,?\s*Ltd\.?|Company\s+Limited|Corporation|Limited|Company|Corp\.?|Inc\.?|"
    r"Ltd\.?|GmbH|AG|S\.A\.S\.?|S\.A\.?|S\.p\.A\.?|SpA|B\.V\.?|N\.V\.?|PT|Tbk|Pvt\.?|LLC|JSC|"
    r"OOO|LLP|SAS|Sdn\.?\s*Bhd\.?|Pty\.?|plc|Ltda\.?|S\.?\s*de\s*R\.?L\.?\s*de\s*C\.?V\.?)(?=\W|$)\.?",
    re.IGNORECASE,
)


def typo(name: str, rng: random.Random) -> str:
    chars = list(name)
    for _ in range(2 if len(name) >= 20 else 1):
        letters = [i for i, c in enumerate(chars) if c.isalpha()]
        if len(letters) < 4:
            break
        i = rng.choice(letters[1:])
        operation = rng.choice(("delete", "insert", "substitute", "transpose"))
        if operation == "delete":
            del chars[i]
        elif operation == "insert":
            chars.insert(i, rng.choice(string.ascii_lowercase))
        elif operation == "substitute":
            chars[i] = rng.choice(string.ascii_lowercase.replace(chars[i].lower(), ""))
        elif i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def drop_legal_forms(name: str, rng: random.Random) -> str | None:
    stripped = " ".join(_LEGAL.sub(" ", name).split()).strip(" ,.-")
    return stripped if stripped and stripped != name else None


def case_and_punctuation(name: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return re.sub(r"[^\w\s]", "", name).upper()
    return " ".join(re.sub(r"[^\w\s]", " ", name).lower().split())


def swap_words(name: str, rng: random.Random) -> str | None:
    words = name.split()
    if len(words) < 2:
        return None
    if rng.random() < 0.5:
        return " ".join(words[1:] + words[:1])
    i = rng.randrange(len(words) - 1)
    words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


NOISE = {
    "typo": typo,
    "legal forms dropped": drop_legal_forms,
    "case/punctuation": case_and_punctuation,
    "word order": swap_words,
}


# --- names that are not in the list ---------------------------------------------------------

_PLACES = (
    "Jiangxi", "Hunan", "Guangdong", "Yunnan", "Shandong", "Zhejiang", "Henan", "Guangxi",
    "Fujian", "Anhui", "Jiangsu", "Sichuan", "Osaka", "Nagoya", "Busan", "Ulsan", "Bangka",
    "Jakarta", "Penang", "Bangkok", "Hanoi", "Lima", "Ontario", "Nevada", "Bavaria", "Flanders",
    "Ticino", "Dubai", "Istanbul", "Johannesburg", "Lubumbashi", "Kigali", "Almaty", "Tashkent",
    "Mumbai", "Jaipur",
)  # fmt: skip
_SYLLABLES = (
    "vel", "mor", "dra", "nex", "tal", "ori", "ken", "zu", "qua", "lis", "bre", "von", "sar",
    "ith", "lu", "mek", "fa", "rio", "gal", "ten", "wy", "pho",
)  # fmt: skip
_TRADE = """
    Metal Products | Precious Metals | Refining | Alloys | Mining | Smelting | Resources |
    New Materials Technology | Recycling | Nonferrous Metals | Industrial | Trading | Minerals |
    Materials Science | Metallurgy | Electronic Materials
""".replace("\n", " ")
_TRADE_WORDS = [t.strip() for t in _TRADE.split("|")]
_FORMS = ["Co., Ltd.", "Ltd.", "Inc.", "GmbH", "S.A.", "Corporation", "LLC", "Pvt. Ltd.", "PT",
          "JSC", "S.p.A.", "B.V.", "Limited", ""]  # fmt: skip
# Invented names in Chinese, Japanese and Hindi.
_SCRIPTS = [
    "湖南星河金属材料有限公司",
    "江西瑞丰新能源科技有限公司",
    "浙江恒远精密合金股份有限公司",
    "广东宏泰再生资源有限公司",
    "大阪精密金属株式会社",
    "東海電子材料株式会社",
    "स्वर्णरेखा धातु प्राइवेट लिमिटेड",
    "नीलगिरि मिनरल्स लिमिटेड",
]
# Real companies that are not smelters or refiners; some share words with real smelter names
# (Mitsubishi, Sumitomo, Metalor's "Technologies", Chow Tai Fook's "Jewellery").
REAL_NON_SMELTERS = [
    line.strip()
    for line in """
    Apple Inc. | Toyota Motor Corporation | Nestle S.A. | Siemens AG | Samsung Electronics Co., Ltd.
    Walmart Inc. | Inter IKEA Systems B.V. | Unilever PLC | BASF SE | Robert Bosch GmbH
    Sony Group Corporation | Panasonic Holdings Corporation | Hon Hai Precision Industry Co., Ltd.
    Tata Consultancy Services Limited | Infosys Limited | Reliance Industries Limited
    Alibaba Group Holding Limited | Tencent Holdings Ltd. | Huawei Technologies Co., Ltd.
    Lenovo Group Limited | BYD Company Limited | Xiaomi Corporation | Hyundai Motor Company
    LG Electronics Inc. | Nokia Oyj | Telefonaktiebolaget LM Ericsson | Koninklijke Philips N.V.
    Danone S.A. | Volkswagen AG | Bayerische Motoren Werke AG | Renault S.A. | Ford Motor Company
    General Motors Company | Tesla, Inc. | Dell Technologies Inc. | HP Inc. | Microsoft Corporation
    Amazon.com, Inc. | Google LLC | Meta Platforms, Inc. | The Coca-Cola Company | PepsiCo, Inc.
    Procter & Gamble Company | Johnson & Johnson | Pfizer Inc. | F. Hoffmann-La Roche AG
    Novartis AG | Sanofi S.A. | Bayer AG | Shell plc | BP p.l.c. | TotalEnergies SE
    Exxon Mobil Corporation | Chevron Corporation | Petroleo Brasileiro S.A. | HSBC Holdings plc
    Barclays PLC | Deutsche Bank AG | UBS Group AG | Nomura Holdings, Inc. | Marubeni Corporation
    Itochu Corporation | Mitsubishi Corporation | Sumitomo Corporation | Mitsui & Co., Ltd.
    Foxconn Interconnect Technology | Murata Manufacturing Co., Ltd. | TDK Corporation
    Kyocera Corporation | Canon Inc. | Nikon Corporation | Ricoh Company, Ltd. | Fujitsu Limited
    Hitachi, Ltd. | Toshiba Corporation | Sharp Corporation | NEC Corporation | Denso Corporation
    Bridgestone Corporation | Continental AG | Michelin | Airbus SE | The Boeing Company
    Lockheed Martin Corporation | Rolls-Royce Holdings plc | Safran S.A. | Thales S.A.
    Schneider Electric SE | ABB Ltd | Legrand S.A. | Infineon Technologies AG | ASML Holding N.V.
    NXP Semiconductors N.V. | Texas Instruments Incorporated | Qualcomm Incorporated | Zara
    Nvidia Corporation | Advanced Micro Devices, Inc. | Micron Technology, Inc. | SK hynix Inc.
    Taiwan Semiconductor Manufacturing Company Limited | H&M Hennes & Mauritz AB | Broadcom Inc.
    Adidas AG | Nike, Inc. | Pandora A/S | Tiffany & Co. | Cartier | Rolex SA | Swatch Group AG
    Chow Tai Fook Jewellery Group Limited | Titan Company Limited | Maersk | DHL Group
    STMicroelectronics N.V. | FedEx Corporation
    """.replace("\n", "|").split("|")
    if line.strip()
]


def invented_name(rng: random.Random) -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()
    parts = [rng.choice(_PLACES)] if rng.random() < 0.6 else []
    parts += [word, rng.choice(_TRADE_WORDS), rng.choice(_FORMS)]
    return " ".join(p for p in parts if p)


def unknown_names(labelled: LabelledSet, count: int, rng: random.Random) -> list[Query]:
    """Names not in the list (none normalises like a candidate), each with a metal and country."""
    known = {normalise(c.name) for c in labelled.candidates}
    blocks = [(c.metal, c.country) for c in labelled.candidates]
    names = [invented_name(rng) for _ in range(count)] + _SCRIPTS + REAL_NON_SMELTERS
    queries = []
    for name in dict.fromkeys(names):
        if normalise(name) in known:
            continue
        metal, country = rng.choice(blocks)
        queries.append((name, metal, country if rng.random() < 0.8 else "", ""))
    return queries


def near_misses(labelled: LabelledSet, count: int, rng: random.Random) -> list[Query]:
    """Real aliases of two to five words with their rarest word replaced by an invented one: a
    sister plant or another company named like a listed one ("Hindalco Industries Ltd - Velmor
    Smelter"). Only words that carry content (not legal forms) are replaced; longer names are
    left out because one word in six or more leaves what a person would call the same name."""
    known = {normalise(c.name) for c in labelled.candidates}
    frequency: dict[str, int] = defaultdict(int)
    for candidate in labelled.candidates:
        for word in set(normalise(candidate.name).split()):
            frequency[word] += 1
    queries: list[Query] = []
    for alias, metal, country in rng.sample(labelled.aliases, len(labelled.aliases)):
        words = alias.split()
        content = [
            (frequency[normalise(w)], i)
            for i, w in enumerate(words)
            if normalise(w).isalpha() and len(normalise(w)) >= 4 and frequency.get(normalise(w))
        ]
        if not 2 <= len(normalise(alias).split()) <= 5 or not content:
            continue
        _, position = min(content)
        invented = "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()
        name = " ".join([*words[:position], invented, *words[position + 1 :]])
        if normalise(name) in known:
            continue
        queries.append((name, metal, country, ""))
        if len(queries) == count:
            break
    return queries


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Scores:
    queries: int = 0
    top1: int = 0
    auto: int = 0
    auto_correct: int = 0
    review: int = 0

    def add(self, result: MatchResult, truth: set[int] | None) -> None:
        self.queries += 1
        best = result.candidates[0].facility_id if result.candidates else None
        correct = truth is not None and best in truth
        self.top1 += correct
        self.auto += result.outcome == "auto"
        self.auto_correct += result.outcome == "auto" and correct
        self.review += result.outcome == "review"


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:6.2f} %" if whole else "     - "


def score_sets(
    matcher: Matcher, sets: dict[str, tuple[list[Query], list[set[int] | None]]]
) -> dict[str, Scores]:
    out = {}
    for label, (queries, truths) in sets.items():
        scores = Scores()
        for result, truth in zip(matcher.match_many(queries), truths, strict=True):
            scores.add(result, truth)
        out[label] = scores
    return out


def held_out(labelled: LabelledSet, thresholds: Thresholds | None) -> tuple[Scores, list]:
    """Each alias against the candidates without its own alias row (one matcher per alias)."""
    by_metal: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in labelled.candidates:
        by_metal[candidate.metal].append(candidate)
    names_of: dict[int, set[str]] = defaultdict(set)
    for candidate in labelled.candidates:
        names_of[candidate.facility_id].add(candidate.name)
    scores, details = Scores(), []
    for alias, metal, country in labelled.aliases:
        truth = labelled.truth[(metal, alias)]
        if not any(names_of[f] - {alias} for f in truth):
            continue  # the smelter's only name: nothing left to find
        pool = [c for c in by_metal[metal] if c.name != alias]
        result = Matcher(pool, thresholds).match(alias, metal=metal, country=country)
        scores.add(result, truth)
        details.append((alias, metal, result, truth))
    return scores, details


def difflib_baseline(
    labelled: LabelledSet, queries: Sequence[Query], truths: Sequence[set[int] | None]
) -> tuple[float, Scores, int]:
    """difflib.get_close_matches within the metal; (names/s, scores, matches on unknown names)."""
    by_metal: dict[str, dict[str, int]] = defaultdict(dict)
    for candidate in labelled.candidates:
        by_metal[candidate.metal].setdefault(candidate.name.lower(), candidate.facility_id)
    scores, false_matches = Scores(), 0
    start = time.perf_counter()
    for (name, metal, _country, _id), truth in zip(queries, truths, strict=True):
        pool = by_metal[metal]
        found = difflib.get_close_matches(name.lower(), pool.keys(), n=1, cutoff=0.6)
        best = pool[found[0]] if found else None
        scores.queries += 1
        scores.top1 += truth is not None and best in truth
        false_matches += truth is None and best is not None
    rate = len(queries) / (time.perf_counter() - start)
    return rate, scores, false_matches


def build_query_sets(
    labelled: LabelledSet, rng: random.Random, unknown: int
) -> dict[str, tuple[list[Query], list[set[int] | None]]]:
    real = [(a, m, c, "") for a, m, c in labelled.aliases]
    real_truth: list[set[int] | None] = [labelled.truth[(m, a)] for a, m, _c in labelled.aliases]
    sets: dict[str, tuple[list[Query], list[set[int] | None]]] = {
        "real aliases": (real, real_truth)
    }
    for label, make in NOISE.items():
        queries, truths = [], []
        for alias, metal, country in labelled.aliases:
            variant = make(alias, rng)
            if variant and variant != alias:
                queries.append((variant, metal, country, ""))
                truths.append(labelled.truth[(metal, alias)])
        sets[f"noisy: {label}"] = (queries, truths)
    names = unknown_names(labelled, unknown, rng)
    sets["unknown names"] = (names, [None] * len(names))
    misses = near_misses(labelled, unknown // 2, rng)
    sets["unknown: near misses"] = (misses, [None] * len(misses))
    return sets


FUZZY_SETS = ("noisy: typo", "noisy: word order", "unknown names", "unknown: near misses")


def throughput(matcher: Matcher, queries: list[Query], rounds: int) -> list[float]:
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        matcher.match_many(queries)
        rates.append(len(queries) / (time.perf_counter() - start))
    return rates


def calibrate(labelled: LabelledSet, sets: dict, details: list) -> None:
    """Print the sweeps the default thresholds were chosen from."""
    matcher = Matcher(labelled.candidates, Thresholds(auto=101, review=0, margin=0))
    rows = []  # (best score, gap to the next facility, correct?, not in the list?, set)
    for label, (queries, truths) in sets.items():
        for result, truth in zip(matcher.match_many(queries), truths, strict=True):
            correct = truth is not None and _top(result) in truth
            rows.append((*_best_gap(result), correct, truth is None, label))
    for _alias, _metal, result, truth in details:
        rows.append((*_best_gap(result), _top(result) in truth, False, "held-out"))
    unknown = sorted((r[0] for r in rows if r[3]), reverse=True)
    print("\nhighest best scores of names not in the list:", unknown[:8])
    known = [r for r in rows if not r[3]]
    print(
        f"\n{'auto':>5} {'margin':>6} {'false autos':>11} {'auto precision':>15} {'auto share':>10}"
    )
    for auto in (80, 85, 88, 90, 92, 95):
        for margin in (0, 5, 10):
            chosen = [r for r in rows if r[0] >= auto and r[1] >= margin]
            good = [r for r in chosen if not r[3]]
            print(
                f"{auto:5} {margin:6} {sum(r[3] for r in chosen):11} "
                f"{pct(sum(r[2] for r in good), len(good)):>15} {pct(len(good), len(known)):>10}"
            )
    print(
        f"\n{'review':>6} {'correct top-1 at or above (typo / held-out)':>44} {'not in list':>12}"
    )
    for review in (40, 50, 55, 60, 65, 70):
        typo = [r for r in rows if r[4] == "noisy: typo" and r[2]]
        held = [r for r in rows if r[4] == "held-out" and r[2]]
        above = [sum(r[0] >= review for r in group) for group in (typo, held)]
        print(
            f"{review:6} {pct(above[0], len(typo)):>22} / {pct(above[1], len(held)):>19} "
            f"{sum(r[3] and r[0] >= review for r in rows):12}"
        )


def _top(result: MatchResult) -> int | None:
    return result.candidates[0].facility_id if result.candidates else None


def _best_gap(result: MatchResult) -> tuple[float, float]:
    if not result.candidates:
        return 0.0, 0.0
    best = result.candidates[0].score
    runner = result.candidates[1].score if len(result.candidates) > 1 else 0.0
    return best, best - runner


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--difflib-sample", type=int, default=300)
    parser.add_argument("--unknown", type=int, default=600, help="invented names to generate")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--calibrate", action="store_true", help="print the threshold sweep")
    parser.add_argument("--misses", action="store_true", help="print the wrong top-1 answers")
    ns = parser.parse_args(argv)
    if not TEMPLATES.is_dir():
        print(f"skipped: {TEMPLATES} is not present (the benchmark needs the RMI templates)")
        return
    rng = random.Random(ns.seed)
    labelled = build_labelled_set()
    sets = build_query_sets(labelled, rng, ns.unknown)
    matcher = Matcher(labelled.candidates)
    everything = [q for queries, _ in sets.values() for q in queries]
    Matcher(labelled.candidates).match_many(everything[:200])  # warm the normalisation cache
    rates = throughput(matcher, everything, ns.rounds)
    # The sets that mostly miss the exact step, so nearly every query goes through cdist + re-rank.
    fuzzy = [q for label in FUZZY_SETS for q in sets[label][0]]
    fuzzy_rates = throughput(matcher, fuzzy, ns.rounds)
    scores = score_sets(matcher, sets)
    held, details = held_out(labelled, None)
    sample = rng.sample(range(len(everything)), min(ns.difflib_sample, len(everything)))
    all_truths = [t for _, truths in sets.values() for t in truths]
    diff_rate, diff_scores, diff_false = difflib_baseline(
        labelled, [everything[i] for i in sample], [all_truths[i] for i in sample]
    )
    facilities = len({c.facility_id for c in labelled.candidates})
    print(
        f"labelled set: {len(labelled.candidates)} candidate names of {facilities} smelters "
        f"(CIDs); {len(labelled.aliases)} distinct (metal, alias) queries; "
        f"{len(everything)} queries in all"
    )
    header = f"{'query set':<28} {'queries':>7} {'top-1':>9} {'auto':>9} {'auto prec.':>10}"
    print(f"\n{header} {'review':>9}")
    for label, s in [*scores.items(), ("held-out aliases", held)]:
        unknown = label.startswith("unknown")
        precision = "       -" if unknown else pct(s.auto_correct, s.auto)
        top1 = "       -" if unknown else pct(s.top1, s.queries)
        print(
            f"{label:<28} {s.queries:7} {top1:>9} {pct(s.auto, s.queries):>9} {precision:>10} "
            f"{pct(s.review, s.queries):>9}"
        )
    unknown_sets = [s for label, s in scores.items() if label.startswith("unknown")]
    known = [s for label, s in scores.items() if not label.startswith("unknown")] + [held]
    auto = sum(s.auto for s in known)
    auto_correct = sum(s.auto_correct for s in known)
    print(f"\nauto-match precision over all known-name queries: {pct(auto_correct, auto).strip()}")
    print(
        f"false auto-matches on {sum(s.queries for s in unknown_sets)} names not in the list: "
        f"{sum(s.auto for s in unknown_sets)} (budget 0)"
    )
    print(
        f"\nthroughput, match_many over all {len(everything)} queries, {ns.rounds} rounds: "
        f"median {statistics.median(rates):,.0f} names/s (min {min(rates):,.0f}); budget >= 5,000"
    )
    print(
        f"  of which the typo, word-order and not-in-list sets alone ({len(fuzzy)} queries, "
        f"nearly all fuzzy): median {statistics.median(fuzzy_rates):,.0f} names/s"
    )
    diff_known = sum(1 for i in sample if all_truths[i] is not None)
    diff_unknown = len(sample) - diff_known
    print(
        f"difflib baseline on a sample of {len(sample)} queries: {diff_rate:,.1f} names/s; "
        f"top-1 {pct(diff_scores.top1, diff_known).strip()} of {diff_known} known names; "
        f"{diff_false} of {diff_unknown} unknown names matched (cutoff 0.6)"
    )
    print(f"speed ratio oretrace/difflib: {statistics.median(rates) / diff_rate:,.0f}x")
    thresholds = matcher.thresholds
    print(
        f"thresholds: auto >= {thresholds.auto}, review >= {thresholds.review}, "
        f"margin >= {thresholds.margin}"
    )
    if ns.misses:
        for alias, metal, result, truth in details:
            if _top(result) not in truth:
                best = result.candidates[0] if result.candidates else None
                print(f"  held-out miss [{metal}] {alias!r} -> {best}")
        for label, (queries, truths) in sets.items():
            for q, t, r in zip(queries, truths, matcher.match_many(queries), strict=True):
                if (t is not None and _top(r) not in t) or (t is None and r.outcome == "auto"):
                    print(f"  {label} miss {q} -> {r.outcome} {r.candidates[:2]}")
    if ns.calibrate:
        calibrate(labelled, sets, details)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
