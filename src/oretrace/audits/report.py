"""The audit report: what it holds, in which language, read through the audits' queries.

The report is written in the auditee's language (the language its organisation chose; the
reader may ask for another with ``?lang=``): headings through the message catalogues, the
criteria's texts from the standard, the outcome's grade from the programme file. The page and
the PDF are the same template (``audits/report.html``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from oretrace.audits import queries, rules
from oretrace.audits.choices import FindingGrade
from oretrace.audits.models import Audit
from oretrace.core.models import Membership

# What each outcome reason (``audits.programmes``) means, as a sentence for the report.
REASONS = {
    "score-band": "The score falls in this grade's band.",
    "no-limiting-finding": "No finding limited the outcome.",
}
FINDING_REASON = "A finding graded “%(grade)s” limits the outcome to this grade."
OPEN_REASON = "A finding graded “%(grade)s” still open at the decision limits the outcome."


def languages() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


def report_language(audit: Audit, wanted: str = "") -> str:
    """``wanted`` if the site speaks it, else the auditee's language, else the reader's."""
    for candidate in (wanted, audit.auditee.language.split("-")[0]):
        if candidate in languages():
            return candidate
    return (translation.get_language() or "en").split("-")[0]


def reason_text(code: str) -> str:
    """An outcome reason in the active language (the code itself when unknown)."""
    if code in REASONS:
        return gettext(REASONS[code])
    grades = dict(FindingGrade.choices)
    for prefix, sentence in (("open-", OPEN_REASON), ("", FINDING_REASON)):
        grade = code.removeprefix(prefix).removesuffix("-finding")
        if code.startswith(prefix) and code.endswith("-finding") and grade in grades:
            return gettext(sentence) % {"grade": grades[grade]}
    return code


@dataclass(frozen=True)
class GradeCount:
    grade: str
    label: str
    count: int


def grade_counts(audit: Audit) -> list[GradeCount]:
    """How many findings of each grade, in the vocabulary's order, grades with none left out."""
    counted = queries.counts(audit)["grades"]
    return [
        GradeCount(code, str(label), counted[code])
        for code, label in FindingGrade.choices
        if counted.get(code)
    ]


def summary(audit: Audit) -> str:
    total = sum(c.count for c in grade_counts(audit))
    return ngettext("%(n)s finding", "%(n)s findings", total) % {"n": total}


# Photos the PDF carries inline (it fetches nothing): the findings' images, within these bounds
# so that a report of a hundred photos stays a file one can send.
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTOS_MAX = 40
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


@dataclass(frozen=True)
class Photo:
    finding_id: int
    name: str
    uri: str  # a data: URI


def photos_of(rows: list[queries.Row]) -> list[Photo]:
    """The findings' photos as data URIs, in report order, up to PHOTOS_MAX of at most
    PHOTO_MAX_BYTES each (larger ones stay listed by name and digest only)."""
    found: list[Photo] = []
    for row in rows:
        if row.finding is None:
            continue
        for item in row.finding.evidence.all():
            if len(found) >= PHOTOS_MAX:
                return found
            if item.content_type in PHOTO_TYPES and item.size <= PHOTO_MAX_BYTES:
                with item.file.open("rb") as stream:
                    data = base64.b64encode(stream.read()).decode("ascii")
                uri = f"data:{item.content_type};base64,{data}"
                found.append(Photo(row.finding.pk, item.original_name, uri))
    return found


def report_context(
    audit: Audit, member: Membership, language: str, *, photos: bool = False
) -> dict[str, Any]:
    """Everything the report shows; call it with ``language`` active (the texts are read in
    the active language). ``photos``: the findings' photos inline (the PDF's)."""
    outcome = ""
    if audit.outcome:
        outcome = rules.grade_title(audit.programme, audit.outcome, language)
    rows = queries.findings_with_help(audit, member)
    return {
        "audit": audit,
        "lang": language,
        "rows": rows,
        "photos": photos_of(rows) if photos else [],
        "reviews": audit.reviews.select_related("decided_by__user"),
        "steps": queries.steps_of(audit),
        "team": audit.team.select_related("user"),
        "grade_counts": grade_counts(audit),
        "summary": summary(audit),
        "outcome_title": outcome,
        "reasons": [reason_text(code) for code in audit.outcome_reasons or []],
    }
