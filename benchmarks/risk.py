"""Recomputing every risk score of an organisation with 100,000 facilities, against the same
computation in plain Python on in-memory rows.

    .venv/bin/python benchmarks/risk.py [--facilities 100000] [--rounds 3]

The organisation records ``--facilities`` facilities in 40 countries (half with an ISO 3166-2
region, each with one or two minerals, 60 % with assurance statuses, 10 % with an open red
flag), and 500 suppliers whose declarations name 40 of them each; the reference lists in force
are a CAHRA list (a few regions in 12 countries), a List of Goods (5 goods in 30 countries) and
country profiles (40 countries). One round is ``recompute_scores`` exactly as the job runs it:
the editions in force, the facts in set-based queries (facilities, minerals, statuses, open
flags, declarations, smelter rows), every facility and supplier scored by the pure package with
its breakdown and fingerprint, the day's old scores deleted and the new ones written in bulk,
in one transaction. The baseline is the same scoring (inputs, scores, fingerprints, breakdowns)
on facts already read into memory, with
no database. Production settings, SQLite in a scratch data directory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal

import _django  # noqa: F401 - Django on a scratch data directory
from django.core.management import call_command
from django.db import transaction

from oretrace.core.actors import SYSTEM
from oretrace.core.models import Country, Mineral, Organisation, Subdivision
from oretrace.core.reference import load_countries, load_minerals, load_subdivisions
from oretrace.declarations.models import Declaration, SmelterEntry, Supplier
from oretrace.registry.models import AssuranceStatus, Facility
from oretrace.risk.models import (
    ConflictArea,
    CountryProfile,
    Edition,
    GoodListing,
    RedFlag,
    Score,
)
from oretrace.risk.scores import gather, services
from oretrace.risk.scoring import Child, Scorer, Stored, breakdown, fingerprint, score

AS_OF = date(2026, 6, 30)
CHUNK = 5000
GOODS = ("Gold", "Tin ore", "Coltan (tantalum ore)", "Cobalt Ore (heterogenite)", "Mica")
MINERALS = ("gold", "tin", "tantalum", "cobalt", "mica", "tungsten", "copper")
STATUSES = ("Conformant", "Active", "Non-conformant", "Suspended", "In communication")


def _edition(kind: str, n: int) -> Edition:
    return Edition.objects.create(
        kind=kind,
        publisher="benchmark",
        label=f"bench {kind}",
        edition_date=date(2025, 1, 1),
        retrieved_on=date(2025, 1, 1),
        filename=f"{kind}.bench",
        sha256=f"{n:064x}",
    )


def _lists(countries: list[str], rng: random.Random) -> None:
    cahra, goods, profiles = (_edition(k, i) for i, k in enumerate(services.gather.USED_KINDS))
    regions = Subdivision.objects.filter(country_id__in=countries[:12]).values_list(
        "code", "country_id"
    )
    ConflictArea.objects.bulk_create(
        ConflictArea(
            edition=cahra,
            key=code,
            country_code=country,
            region_code=code,
            region_name=code,
            conflict_affected=rng.random() < 0.5,
            high_risk=True,
            whole_country=False,
        )
        for code, country in regions
        if rng.random() < 0.3
    )
    GoodListing.objects.bulk_create(
        GoodListing(
            edition=goods,
            key=f"{good}/{country}",
            good=good,
            country_name=country,
            country_id=country,
            child_labour=rng.random() < 0.8,
            forced_labour=rng.random() < 0.3,
            forced_child_labour=False,
        )
        for country in countries[:30]
        for good in GOODS
    )
    CountryProfile.objects.bulk_create(
        CountryProfile(
            edition=profiles,
            key=country,
            country_name=country,
            country_id=country,
            working_children=Decimal(rng.randint(0, 300)) / 1000,
        )
        for country in countries
    )


def _facilities(org: Organisation, n: int, countries: list[str], rng: random.Random) -> None:
    regions: dict[str, list[str]] = {}
    for code, country in Subdivision.objects.filter(country_id__in=countries).values_list(
        "code", "country_id"
    ):
        regions.setdefault(country, []).append(code)
    for start in range(0, n, CHUNK):
        batch = []
        for i in range(start, min(n, start + CHUNK)):
            country = countries[i % len(countries)]
            region = rng.choice(regions[country]) if regions.get(country) and i % 2 else None
            batch.append(
                Facility(
                    organisation=org,
                    kind="smelter",
                    name=f"Facility {i}",
                    country_id=country,
                    subdivision_id=region,
                )
            )
        Facility.objects.bulk_create(batch)
    minerals = dict(Mineral.objects.filter(code__in=MINERALS).values_list("code", "pk"))
    through = Facility.minerals.through
    ids = list(Facility.objects.filter(organisation=org).values_list("pk", flat=True))
    links, statuses = [], []
    for pk in ids:
        for code in rng.sample(MINERALS, rng.randint(1, 2)):
            links.append(through(facility_id=pk, mineral_id=minerals[code]))
        if rng.random() < 0.6:
            statuses.append(
                AssuranceStatus(
                    facility_id=pk,
                    scheme="rmap",
                    status=rng.choice(STATUSES),
                    effective_on=date(2024, 1, 1),
                    source="benchmark",
                )
            )
    through.objects.bulk_create(links, batch_size=CHUNK)
    AssuranceStatus.objects.bulk_create(statuses, batch_size=CHUNK)


def _suppliers(org: Organisation, rng: random.Random) -> None:
    ids = list(Facility.objects.filter(organisation=org).values_list("pk", flat=True))
    suppliers = Supplier.objects.bulk_create(
        Supplier(organisation=org, name=f"Supplier {i}") for i in range(500)
    )
    declarations = Declaration.objects.bulk_create(
        Declaration(
            organisation=org,
            supplier=s,
            family="CMRT",
            version="6.4",
            filename=f"{s.pk}.xlsx",
            sha256=f"{s.pk:064x}",
            content={},
            fingerprint=f"{s.pk:064x}",
            error_count=rng.choice((0, 0, 0, 2)),
        )
        for s in suppliers
    )
    SmelterEntry.objects.bulk_create(
        (
            SmelterEntry(declaration=d, row=r + 1, facility_id=rng.choice(ids), match="matched")
            for d in declarations
            for r in range(40)
        ),
        batch_size=CHUNK,
    )


def _flags(org: Organisation, rng: random.Random) -> None:
    """Open red flags about one facility in ten, as the flag rules would leave them."""
    ids = Facility.objects.filter(organisation=org).values_list("pk", flat=True)
    RedFlag.objects.bulk_create(
        (
            RedFlag(
                organisation=org,
                rule="smelter-not-conformant",
                key=f"bench|facility:{pk}",
                severity=rng.choice(("high", "medium", "low")),
                facility_id=pk,
                evidence_kind="facility",
                evidence_id=pk,
                evidence_label=f"Facility {pk}",
            )
            for pk in ids
            if rng.random() < 0.1
        ),
        batch_size=CHUNK,
    )


def build(n: int) -> Organisation:
    call_command("migrate", "--no-input", verbosity=0)
    load_countries()
    load_subdivisions()
    load_minerals()
    rng = random.Random(18)
    countries = sorted(
        Country.objects.filter(subdivisions__isnull=False).values_list("code", flat=True).distinct()
    )
    countries = rng.sample(countries, 40)
    with transaction.atomic():
        org = Organisation.objects.create(
            legal_name="Bench Brands AG", slug="bench", kind="manufacturer", country_id="DE"
        )
        _lists(countries, rng)
        _facilities(org, n, countries, rng)
        _suppliers(org, rng)
        _flags(org, rng)
    return org


def in_memory(org: Organisation) -> tuple[float, int]:
    """The baseline: the same scoring on facts read beforehand (the read is not timed)."""
    row = services.install_methodology()
    spec = services.spec_of(row)
    refs = gather.references(AS_OF)
    facts = gather.facility_facts(services.scored_facilities(org.pk), org.pk, AS_OF)
    suppliers = Supplier.objects.filter(organisation=org)
    found = gather.supplier_facts(suppliers, org.pk, AS_OF)
    started = time.perf_counter()
    observer = gather.Observer(spec, refs, AS_OF)
    scorer = Scorer(spec, refs.ids)
    done: dict[tuple[int, ...], Stored] = {}
    kept: list[tuple[int, Stored]] = []
    children: dict[int, Child] = {}
    for one in facts:
        key, inputs = observer.observe(one)
        if (known := done.get(key)) is None:
            known = done[key] = scorer.stored("facility", inputs)
        kept.append((one.pk, known))
        children[one.pk] = Child(one.name, known.total, ref=f"facility:{one.pk}")
    for supplier in found.values():
        inputs = gather.supplier_inputs(supplier)
        declared = {"facility": [children[pk] for pk in sorted(supplier.facilities)]}
        computed = score(spec, "supplier", inputs, declared)
        text = json.dumps(breakdown(computed.contributions), ensure_ascii=False)
        print_ = fingerprint(spec, "supplier", inputs, declared, editions=refs.ids)
        kept.append((supplier.pk, Stored(computed.total, computed.level, text, print_)))
    return time.perf_counter() - started, len(kept)


def oretrace(org: Organisation) -> tuple[float, int]:
    started = time.perf_counter()
    done = services.recompute_scores(org.pk, as_of=AS_OF, actor=SYSTEM)
    elapsed = time.perf_counter() - started
    return elapsed, done.counts["facilities"] + done.counts["suppliers"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    org = build(args.facilities)
    print(f"built {args.facilities:,} facilities in {time.perf_counter() - started:.1f} s")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    ours, base = [], []
    for n in range(args.rounds):  # interleaved, so both see the same machine
        seconds, count = oretrace(org)
        ours.append(seconds)
        plain, plain_count = in_memory(org)
        base.append(plain)
        print(
            f"round {n + 1}: recompute {seconds:.2f} s ({count:,} scores), "
            f"in memory {plain:.2f} s ({plain_count:,})"
        )
    stored = Score.objects.filter(organisation=org, as_of=AS_OF).count()
    print(f"load average after: {os.getloadavg()[0]:.1f}; {stored:,} scores stored")
    ours_m, base_m = statistics.median(ours), statistics.median(base)
    verdict = "within" if ours_m <= 10 else "OVER"
    print(f"recompute (gather + score + store), median: {ours_m:.2f} s — {verdict} the 10 s budget")
    print(f"in-memory scoring alone, median: {base_m:.2f} s")
    print(f"ratio recompute / in-memory: {ours_m / base_m:.2f}")
    return 0 if ours_m <= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
