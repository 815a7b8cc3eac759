"""Pages of risk scores: the organisation's latest scores (with downloads and the recompute),
a facility's and a supplier's score with its trend, and one score's "why": each contribution
with its source, the edition it comes from and a link to the evidence. Thin: reads in
``queries``, writes in ``services``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from oretrace.core.models import Membership
from oretrace.core.requests import AuthenticatedRequest
from oretrace.risk.choices import LEVEL_LABELS, SOURCE_LABELS, STATE_LABELS
from oretrace.risk.forms import RecomputeForm, ScoreFilterForm
from oretrace.risk.models import Edition, Score
from oretrace.risk.permissions import can_recompute_scores
from oretrace.risk.scores import queries, services
from oretrace.risk.scores.exports import BREAKDOWN_EXPORT, SCORES_EXPORT
from oretrace.web.views import errors_on_form, member_required, requires

# What an evidence reference opens: "edition:3" → the edition's page, and so on.
_LINKS = {
    "edition": "risk:edition",
    "facility": "risk:facility_score",
    "registry-facility": "registry:facility",
    "supplier": "risk:supplier_score",
    "declaration": "declarations:detail",
    "flag": "risk:flag",
}


def _link(ref: str) -> str:
    kind, _sep, pk = ref.partition(":")
    name = _LINKS.get(kind)
    return reverse(name, args=[int(pk)]) if name and pk.isdigit() else ""


@dataclass(frozen=True)
class Item:
    """One contribution as the page shows it."""

    category: str
    indicator: str
    source: str
    state: str
    points: Decimal
    share: Decimal  # in per cent
    value: Decimal
    evidence: list[dict[str, Any]]


def _titles(score: Score) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """The methodology's titles of the score's categories and indicators."""
    method = score.methodology.spec["subjects"].get(score.subject, {})
    categories, indicators = {}, {}
    for category in method.get("categories", []):
        categories[category["code"]] = category["title"]
        for indicator in category.get("indicators", []):
            indicators[(category["code"], indicator["code"])] = indicator["title"]
    return categories, indicators


def items(score: Score) -> list[Item]:
    """The score's breakdown with titles, labels, edition names and links."""
    categories, indicators = _titles(score)
    editions = {
        e.pk: e for e in Edition.objects.filter(pk__in=[pk for pk in score.editions.values() if pk])
    }
    shown = []
    for part in score.breakdown:
        # a status is shown on its facility's registry page (the evidence names the scheme)
        home = f"registry-facility:{score.facility_id}" if score.facility_id else ""
        evidence = [
            {
                "text": text,
                "edition": editions.get(edition) if edition else None,
                "url": _link(ref or (home if part["source"] == "assurance" else "")),
            }
            for text, edition, ref in part["evidence"]
        ]
        code = (part["category"], part["indicator"])
        shown.append(
            Item(
                categories.get(part["category"], part["category"]),
                indicators.get(code, part["indicator"]),
                str(SOURCE_LABELS.get(part["source"], part["source"])),
                str(STATE_LABELS.get(part["state"], part["state"])),
                Decimal(part["points"]),
                Decimal(part["share"]) * 100,
                Decimal(part["value"]),
                evidence,
            )
        )
    return shown


@member_required
@requires(can_recompute_scores)
def score_list(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    """The latest score of each facility and supplier; the recompute (a job) for officers."""
    recompute = RecomputeForm(
        request.POST or None, initial={"as_of": timezone.localdate().isoformat()}
    )
    if request.method == "POST" and recompute.is_valid():
        with errors_on_form(recompute):
            job = services.start_recompute(member, as_of=recompute.cleaned_data["as_of"])
            return redirect("web:jobs_detail", job_id=job.pk)
    form = ScoreFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    found = queries.latest_scores(member, chosen.get("subject", ""), chosen.get("level", ""))
    if (download := SCORES_EXPORT.response(request, found)) is not None:
        return download
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "risk/score_list.html",
        {
            "form": form,
            "recompute": recompute,
            "may_recompute": can_recompute_scores(member),
            "page": page,
            "level_labels": LEVEL_LABELS,
        },
        status=400 if recompute.errors else 200,
    )


def _subject_page(
    request: AuthenticatedRequest, member: Membership, subject: Any, **lookup: Any
) -> HttpResponse:
    scores = queries.history(member, **lookup)
    latest = scores[-1] if scores else None
    shown = items(latest) if latest else []
    if (download := BREAKDOWN_EXPORT.response(request, shown)) is not None:
        return download
    return render(
        request,
        "risk/score_subject.html",
        {
            "subject": subject,
            "latest": latest,
            "items": shown,
            "trend": queries.trend(scores, queries.levels_of(latest)) if latest else None,
            "history": list(reversed(scores))[:20],
            "level_labels": LEVEL_LABELS,
            "may_recompute": can_recompute_scores(member),
        },
    )


@member_required
def facility_score(
    request: AuthenticatedRequest, member: Membership, facility_id: int
) -> HttpResponse:
    facility = queries.facility_for(member, facility_id)
    return _subject_page(request, member, facility, facility=facility)


@member_required
def supplier_score(
    request: AuthenticatedRequest, member: Membership, supplier_id: int
) -> HttpResponse:
    supplier = queries.supplier_for(member, supplier_id)
    return _subject_page(request, member, supplier, supplier=supplier)


@member_required
def score_detail(request: AuthenticatedRequest, member: Membership, score_id: int) -> HttpResponse:
    """Why a score is what it is: every contribution, its source, edition and evidence."""
    score = queries.score_for(member, score_id)
    shown = items(score)
    if (download := BREAKDOWN_EXPORT.response(request, shown)) is not None:
        return download
    return render(
        request,
        "risk/score_detail.html",
        {"score": score, "items": shown, "level_labels": LEVEL_LABELS},
    )
