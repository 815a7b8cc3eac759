"""Demo data of the risk app: made-up lists, never a published one.

The demo must run without ``../shared/data``, and must not pass our rows off as DOL's or the
EU's: it writes two editions of a small list in the CAHRA format and one in the DOL List of
Goods format, every row invented, each edition labelled as a demo and published by "oretrace
demo". Two editions of one list give the edition page a diff to show.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

from django.utils import timezone

from oretrace.core.demo import ACTOR, demo_step
from oretrace.core.models import Organisation
from oretrace.risk import services
from oretrace.risk.scores.services import recompute_scores

PUBLISHER = "oretrace demo (made-up rows, not a published list)"


def _area(code: str, name: str, conflict: bool) -> dict[str, object]:
    return {"name": name, "code": code, "conflictAffected": conflict, "highRisk": not conflict}


def _areas_list(second: bool) -> bytes:
    """A made-up list of areas in the CAHRA JSON format; the second edition differs."""
    congo = [_area("CD-NK", "Nord-Kivu", True), _area("CD-SK", "Sud-Kivu", True)]
    congo += [_area("CD-IT", "Ituri", True)] if second else [_area("CD-TA", "Tanganyika", False)]
    madagascar = [_area("MG-U", "Toliara", second)]
    entries = [
        {"countryName": "Congo (demo)", "iso2": "CD", "regions": congo, "wholeCountry": False},
        {"countryName": "Madagascar (demo)", "iso2": "MG", "regions": madagascar},
    ]
    if second:
        entries.append(
            {"countryName": "Eritrea (demo)", "iso2": "ER", "regions": None, "wholeCountry": True}
        )
    meta = {"version": f"Demo list of areas, edition {2 if second else 1} (made up)"}
    return json.dumps({"meta": meta, "entries": entries}, indent=1).encode()


def _good(name: str, country: str, child: bool, forced: bool) -> str:
    yes = {True: "Yes", False: "No"}
    return (
        f"<Good><Good_Name>{name}</Good_Name><Good_Sector>Mining</Good_Sector><Countries>"
        f"<Country><Country_Name>{country}</Country_Name><Country_Region>Demo</Country_Region>"
        f"<Child_Labor>{yes[child]}</Child_Labor><Forced_Labor>{yes[forced]}</Forced_Labor>"
        "<Forced_Child_Labor>No</Forced_Child_Labor></Country></Countries></Good>"
    )


GOODS = (
    "<Goods>"
    + _good("Mica (demo)", "India", True, False)
    + _good("Mica (demo)", "Madagascar", True, False)
    + _good("Tin ore (demo)", "Congo, Democratic Republic of the", True, True)
    + "</Goods>"
).encode()


@demo_step("risk: made-up reference lists in two editions")
def build_editions(say: Callable[[str], None]) -> None:
    made = 0
    for data, name, kind, when in (
        (_areas_list(False), "demo-areas-1.json", "cahra", date(2025, 6, 30)),
        (_areas_list(True), "demo-areas-2.json", "cahra", date(2026, 6, 30)),
        (GOODS, "demo-goods.xml", "dol-goods", date(2026, 3, 31)),
    ):
        outcome = services.import_edition(
            data,
            name,
            kind=kind,
            actor=ACTOR,
            edition_date=when,
            label=f"Demo: {name} (made up)" if kind == "dol-goods" else "",
            publisher=PUBLISHER,
        )
        made += not outcome.already_imported
    if made:
        say(f"{made} made-up reference list editions (risk data)")


@demo_step("risk: red flags of every organisation, from the demo's records and lists")
def build_flags(say: Callable[[str], None]) -> None:
    """The demo's records commit in one transaction (no job runs after each change): the
    recomputation runs here, once per organisation, after every other app's demo step."""
    from oretrace.core.models import Organisation
    from oretrace.risk.redflags.services import recompute_flags
    from oretrace.risk.redflags.triggers import organisations_with_inputs

    raised = 0
    for organisation in Organisation.objects.filter(pk__in=organisations_with_inputs()):
        raised += len(recompute_flags(organisation, reasons=["manual"]).raised)
    if raised:
        say(f"{raised} red flags raised")


# Risk scores of the brand, as of two dates half a year apart (a trend to show), then today;
# after the red flags, which they count.
SCORED_ORGANISATIONS = ("brightline",)
SCORE_DAYS_AGO = (180, 0)


@demo_step("risk: scores of the brand's facilities and suppliers")
def build_scores(say: Callable[[str], None]) -> None:
    today = timezone.localdate()
    for slug in SCORED_ORGANISATIONS:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            continue
        for days in SCORE_DAYS_AGO:
            done = recompute_scores(
                organisation.pk, as_of=today - timedelta(days=days), actor=ACTOR
            )
        say(f"risk scores of {organisation}: {done.counts}")
