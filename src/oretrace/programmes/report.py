"""The donor report: a programme's indicators for a period as a PDF, with its cases known only
by their pseudonymous references. What it holds is read here; ``services.reports`` issues it
(stores the bytes and commits their fingerprint to the transparency log)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from oretrace.programmes import catalogue
from oretrace.programmes.choices import CaseStatus, IloArea, Remediation
from oretrace.programmes.figures import Figures, compute
from oretrace.programmes.models import ChildCase, Programme
from oretrace.programmes.queries import case_facts


@dataclass(frozen=True)
class CaseLine:
    """One case in the report: its reference and what was done, never who the child is."""

    reference: str
    village: str
    identified_on: date
    status: str
    services: list[str]
    follow_ups_done: int


def _cases(programme: Programme, starts_on: date, ends_on: date) -> list[CaseLine]:
    kinds = dict(Remediation.choices)
    statuses = dict(CaseStatus.choices)
    found = (
        ChildCase.objects.filter(
            programme=programme, identified_on__gte=starts_on, identified_on__lte=ends_on
        )
        .select_related("village")
        .prefetch_related("services", "follow_ups")
        .order_by("reference")
    )
    return [
        CaseLine(
            case.reference,
            case.village.name,
            case.identified_on,
            str(statuses.get(case.status, case.status)),
            sorted({str(kinds.get(s.kind, s.kind)) for s in case.services.all() if s.delivered_on}),
            sum(1 for v in case.follow_ups.all() if v.done_on is not None),
        )
        for case in found
    ]


def figures_by_village(
    programme: Programme, starts_on: date, ends_on: date, today: date
) -> list[tuple[str, Figures]]:
    """The whole programme ("") then each village, over the cases identified in the period."""
    facts = [f for f in case_facts(programme) if starts_on <= f.identified_on <= ends_on]
    rows = [("", compute(facts, today=today))]
    for name in sorted({v.name for v in programme.villages.all()}):
        rows.append((name, compute([f for f in facts if f.village == name], today=today)))
    return rows


def report_context(
    programme: Programme,
    *,
    label: str,
    starts_on: date,
    ends_on: date,
    issued_at: datetime,
    language: str,
) -> dict[str, Any]:
    areas = dict(IloArea.choices)
    indicator_set = catalogue.latest(programme.indicator_set)
    return {
        "programme": programme,
        "areas": [areas[a] for a in programme.areas if a in areas],
        "label": label,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "issued_at": issued_at,
        "set_title": indicator_set.title(language) if indicator_set else "",
        "rows": figures_by_village(programme, starts_on, ends_on, issued_at.date()),
        "cases": _cases(programme, starts_on, ends_on),
        "lang": language,
    }


def render(context: dict[str, Any], *, language: str) -> bytes:
    """The report as PDF bytes, in ``language``."""
    from oretrace.core.pdf import html_to_pdf  # WeasyPrint loads Pango: only when asked

    with translation.override(language):
        html = render_to_string("programmes/donor_report.html", {**context, "for_pdf": True})
    return html_to_pdf(html)
