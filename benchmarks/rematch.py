"""Re-matching the review queue after a reference list arrives, against the matching alone.

    .venv/bin/python benchmarks/rematch.py [--rounds 5]

The six real supplier CMRT 6.4 declarations in ../shared/data/rmi-templates/filled are
imported into an empty registry (every smelter row goes to the review queue), then the Smelter
Look-up of the blank CMRT 6.4 is imported. One round re-opens every review and runs
``rematch_organisation`` as the job does: load the open reviews, match them in chunks, settle
those the engine now matches (decision + change-log entry), refresh the candidates of the
others, then refresh the declarations' flag counts. The baseline is ``Matcher.match_many`` on the
same names alone (no database). Production settings, SQLite in a scratch data directory.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import _django  # noqa: F401 - Django on a scratch data directory
from django.core.management import call_command

from oretrace.core.choices import Role
from oretrace.core.models import Membership, Organisation, User
from oretrace.core.reference import load_countries, load_minerals
from oretrace.declarations.services.imports import import_declaration
from oretrace.registry.imports import import_reference_file
from oretrace.registry.models import MatchReview
from oretrace.registry.reviews import matcher_for_organisation, rematch_organisation

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data"
FILLED = DATA / "rmi-templates" / "filled"
BLANK = DATA / "rmi-templates" / "blank" / "RMI_CMRT_6.4.xlsx"


def _members() -> tuple[Membership, Membership]:
    org = Organisation.objects.create(
        legal_name="Bench Brands AG", slug="bench-brands", kind="manufacturer", country_id="DE"
    )
    user = User.objects.create_user(email="bench@example.org", password=None)
    member = Membership.objects.create(user=user, organisation=org, roles=[Role.ADMIN])
    staff = User.objects.create_user(email="curator@example.org", password=None, is_staff=True)
    curator = Membership.objects.create(user=staff, organisation=org, roles=[Role.ADMIN])
    return member, curator


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not FILLED.is_dir():
        print(f"{FILLED} is not present: nothing to measure")
        return 0
    call_command("migrate", "--no-input", verbosity=0)
    load_countries()
    load_minerals()
    member, curator = _members()
    for path in sorted(FILLED.glob("*.xlsx")):
        import_declaration(path.read_bytes(), path.name, actor=member)
    import_reference_file(BLANK.read_bytes(), BLANK.name, actor=curator)
    reviews = MatchReview.objects.filter(organisation=member.organisation)
    queries = [(r.query, r.metal, r.country, r.identifier) for r in reviews]
    snapshot = list(reviews.values("pk", "candidates", "best_score"))
    ours, theirs, settled = [], [], 0
    for _round in range(args.rounds):
        for row in snapshot:  # every review open again, with its import-time candidates
            MatchReview.objects.filter(pk=row["pk"]).update(
                status="open",
                facility=None,
                decided_at=None,
                **{k: row[k] for k in ("candidates", "best_score")},
            )
        start = time.perf_counter()
        outcome = rematch_organisation(member.organisation_id)
        ours.append(len(queries) / (time.perf_counter() - start))
        settled = outcome.matched
        matcher = matcher_for_organisation(member.organisation_id)
        start = time.perf_counter()
        matcher.match_many(queries)
        theirs.append(len(queries) / (time.perf_counter() - start))
    job, bare = statistics.median(ours), statistics.median(theirs)
    print(
        f"{len(queries)} open names from 6 real CMRTs; {settled} settled by the list; "
        f"medians of {args.rounds} rounds"
    )
    print("| path | names/s |")
    print("|---|---|")
    print(f"| re-matching job (match, decide, change log, flag counts) | {job:,.0f} |")
    print(f"| Matcher.match_many alone | {bare:,.0f} |")
    print(f"ratio: {job / bare:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
