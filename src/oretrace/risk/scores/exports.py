"""The downloads (CSV/XLSX) of risk scores: each subject's latest score with its level, the
methodology version and the editions it rests on."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from oretrace.risk.choices import LEVEL_LABELS
from oretrace.risk.models import Score
from oretrace.web.exports import Column, ListExport


def _name(score: Score) -> str:
    subject = score.facility or score.supplier or score.lot
    return str(subject) if subject is not None else ""


def _editions(score: Score) -> str:
    return " ".join(f"{kind}:{pk}" for kind, pk in sorted(score.editions.items()) if pk)


SCORES_EXPORT = ListExport(
    "risk-scores",
    (
        Column(gettext_lazy("Subject"), lambda s: s.get_subject_display()),
        Column(gettext_lazy("ID"), lambda s: s.subject_id),
        Column(gettext_lazy("Name"), _name),
        Column(gettext_lazy("As of"), lambda s: s.as_of),
        Column(gettext_lazy("Score"), lambda s: s.total),
        Column(gettext_lazy("Level"), lambda s: str(LEVEL_LABELS.get(s.level, s.level))),
        Column(gettext_lazy("Methodology"), lambda s: s.methodology.key),
        Column(gettext_lazy("Editions"), _editions),
        Column(gettext_lazy("Fingerprint"), lambda s: s.fingerprint),
    ),
)


def _evidence(item: Any) -> str:
    return "; ".join(
        e["text"]
        + (f" ({e['edition'].label}, {e['edition'].edition_date:%Y-%m-%d})" if e["edition"] else "")
        for e in item.evidence
    )


# The "why" of one score (its page, or a subject's latest): one row per contribution.
BREAKDOWN_EXPORT = ListExport(
    "risk-score-breakdown",
    (
        Column(gettext_lazy("Category"), lambda i: i.category),
        Column(gettext_lazy("Indicator"), lambda i: i.indicator),
        Column(gettext_lazy("Source"), lambda i: i.source),
        Column(gettext_lazy("State"), lambda i: i.state),
        Column(gettext_lazy("Points"), lambda i: i.points),
        Column(gettext_lazy("Share"), lambda i: i.share),
        Column(gettext_lazy("Contribution"), lambda i: i.value),
        Column(gettext_lazy("Evidence"), _evidence),
    ),
)
