"""A red flag in the reader's language: its rule's texts, its own sentence, its evidence link.

A flag stores its rule's code and the values of its sentence (``params``); the texts are the
rule's catalogue msgids (``risk.flags.RULES``), translated when shown. A value that is a code
oretrace knows (a mineral, an assurance status, a custody anomaly, the list's wording) is
translated too; names and file names are shown as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from oretrace.core.models.reference import country_name
from oretrace.core.reference import mineral_name
from oretrace.grievances.choices import Category as GrievanceCategory
from oretrace.grievances.choices import Severity as GrievanceSeverity
from oretrace.registry.choices import status_label
from oretrace.risk.choices import EvidenceKind
from oretrace.risk.flags import PARAM_WORDS, RULES
from oretrace.risk.models import RedFlag
from oretrace.traceability.choices import FlagKind


@dataclass(frozen=True)
class FlagText:
    title: str
    explanation: str
    detail: str
    guidance: str


# The shapes of evidence labels that ``gather`` writes in English, and their catalogue texts.
_ROW_LABELS = (
    (
        re.compile(r"(?P<file>.+), Smelter List row (?P<row>\d+): (?P<name>.*)", re.DOTALL),
        gettext_noop("%(file)s, Smelter List row %(row)s: %(name)s"),
    ),
    (
        re.compile(r"(?P<file>.+), Mine List row (?P<row>\d*): (?P<name>.*)", re.DOTALL),
        gettext_noop("%(file)s, Mine List row %(row)s: %(name)s"),
    ),
)


def evidence_text(label: str) -> str:
    """An evidence label in the reader's language (stored in English, as the API gives it)."""
    if label == "Grievance":  # gather.GRIEVANCE_LABEL
        return gettext("Grievance")
    for shape, template in _ROW_LABELS:
        found = shape.fullmatch(label)
        if found:
            return gettext(template) % found.groupdict()
    return label


_PLACE = re.compile(r"(?P<name>.+) \((?P<code>[A-Z]{2}(?:-[A-Z0-9]{1,3})?)\)")


def _place(value: str) -> str:
    """ "Congo, The Democratic Republic of the (CD)" with the country's name in the reader's
    language (the rules write the ISO English name)."""
    found = _PLACE.fullmatch(value)
    if found is None:
        return value
    return f"{country_name(found['name'])} ({found['code']})"


def _param(name: str, value: str) -> str:
    if name == "evidence":
        return evidence_text(value)
    if name in ("place", "area"):
        return _place(value)
    if value in PARAM_WORDS:
        return gettext(PARAM_WORDS[value])
    if name == "mineral":
        return mineral_name(value)
    if name == "status":
        return status_label(value)
    if name == "grievance_category":
        return str(dict(GrievanceCategory.choices).get(value, value))
    if name == "grievance_severity":
        return str(dict(GrievanceSeverity.choices).get(value, value)).lower()
    if name == "anomaly":
        return str(dict(FlagKind.choices).get(value, value))
    return value


def flag_text(flag: RedFlag) -> FlagText:
    """The flag's rule texts and its own sentence in the active language (the rule code and
    the English params when the rule is unknown to this version)."""
    rule = RULES.get(flag.rule)
    params = flag.params if isinstance(flag.params, dict) else {}
    if rule is None:
        return FlagText(flag.rule, "", ", ".join(f"{k}: {v}" for k, v in params.items()), "")
    values = {name: _param(name, str(value)) for name, value in params.items()}
    try:
        detail = gettext(rule.detail) % values
    except (KeyError, TypeError, ValueError):
        detail = flag.evidence_label
    return FlagText(gettext(rule.title), gettext(rule.explanation), detail, rule.guidance)


def evidence_url(flag: RedFlag) -> str:
    """The page of the flag's evidence record ("" when it has none)."""
    kind, pk = flag.evidence_kind, flag.evidence_id
    if pk is None:
        return ""
    if kind in (EvidenceKind.DECLARATION, EvidenceKind.MINE_ENTRY):
        return reverse("declarations:detail", args=[pk])
    if kind == EvidenceKind.SMELTER_ENTRY:
        page = flag.params.get("page") if isinstance(flag.params, dict) else None
        if page and str(page).isdigit():  # the row's declaration, kept with the flag
            return reverse("declarations:detail", args=[int(page)])
        return _smelter_entry_url(pk)
    if kind == EvidenceKind.LOT:
        return reverse("traceability:lot", args=[pk])
    if kind == EvidenceKind.CUSTODY_FLAG and flag.lot_id is not None:
        return reverse("traceability:lot", args=[flag.lot_id])
    if kind == EvidenceKind.ASSESSMENT:
        return reverse("assessments:detail", args=[pk])
    if kind == EvidenceKind.FACILITY:
        return reverse("registry:facility", args=[pk])
    if kind == EvidenceKind.AUDIT_FINDING:
        page = flag.params.get("page") if isinstance(flag.params, dict) else None
        if page and str(page).isdigit():  # the finding's audit, kept with the flag
            return reverse("audits:detail", args=[int(page)]) + f"#finding-{pk}"
    return ""


def _smelter_entry_url(entry_id: int) -> str:
    from oretrace.declarations.models import SmelterEntry

    declaration_id = (
        SmelterEntry.objects.filter(pk=entry_id).values_list("declaration_id", flat=True).first()
    )
    return reverse("declarations:detail", args=[declaration_id]) if declaration_id else ""


def closed_reasons(flag: RedFlag) -> list[str]:
    """Why the flag was closed, in the reader's language: the changes after which it was
    recomputed and no longer held."""
    from oretrace.risk.choices import FLAG_TRIGGERS

    codes = [c for c in flag.closed_reason.split(",") if c]
    return [str(FLAG_TRIGGERS.get(code, code)) for code in codes]


def as_row(flag: RedFlag) -> dict[str, Any]:
    """The flag's texts for a list or an export."""
    text = flag_text(flag)
    return {"flag": flag, "title": text.title, "detail": text.detail}
