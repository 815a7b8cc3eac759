"""The editor's forms: the fields of each part of a standard (header, section, criterion,
question) described for the template, filled from the standard's data or from what was posted,
and read back into data the file format checks (``stdfile.validate``).

Texts have one field per language of the standard (``text-en``, ``text-fr`` …). A prefix keeps
the fields of a composite form apart (a new criterion comes with its first question).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from oretrace.assessments.choices import AnswerType, Severity
from oretrace.assessments.exceptions import StandardFileError

Data = dict[str, Any]
OUTCOMES = ("met", "partly", "not_met", "na")
_TYPE_PARAMETERS = {
    "yes_no": ("expected",),
    "number": ("minimum", "maximum", "unit"),
    "date": ("max_age_days",),
    "choice": ("choices",),
}


@dataclass
class Field:
    """One input of a form: ``kind`` is text, textarea, select, checkbox or number."""

    name: str
    label: Any
    kind: str = "text"
    value: Any = ""
    lang: str = ""
    options: list[tuple[str, Any]] = field(default_factory=list)
    required: bool = False
    hint: Any = ""


def _get(source: Any, name: str) -> Any:
    return source.get(name, "") if source is not None else ""


# --- reading what was posted --------------------------------------------------------------------


def _texts(post: Any, name: str, languages: list[str]) -> dict[str, str]:
    found = {lang: (post.get(f"{name}-{lang}") or "").strip() for lang in languages}
    return {lang: text for lang, text in found.items() if text}


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def header_values(post: Any, languages: list[str], prefix: str = "") -> Data:
    return {
        "version": (post.get(f"{prefix}version") or "").strip(),
        "title": _texts(post, f"{prefix}title", languages),
        "description": _texts(post, f"{prefix}description", languages),
    }


def section_values(post: Any, languages: list[str], prefix: str = "") -> Data:
    return {
        "code": (post.get(f"{prefix}code") or "").strip(),
        "title": _texts(post, f"{prefix}title", languages),
    }


def criterion_values(post: Any, languages: list[str], prefix: str = "") -> Data:
    risks = []
    for part in _list(post.get(f"{prefix}oecd_annex_ii") or ""):
        if not part.isdigit():
            raise StandardFileError(
                f"{part!r} is not an OECD Annex II risk number (1 to 10)", field="oecd_annex_ii"
            )
        risks.append(int(part))
    return {
        "code": (post.get(f"{prefix}code") or "").strip(),
        "severity": post.get(f"{prefix}severity") or "",
        "requirement": _texts(post, f"{prefix}requirement", languages),
        "guidance": _texts(post, f"{prefix}guidance", languages),
        "improvement_steps": _texts(post, f"{prefix}improvement_steps", languages),
        "ilo_conventions": [c.upper() for c in _list(post.get(f"{prefix}ilo_conventions") or "")],
        "oecd_annex_ii": risks,
        "rra_issue_areas": [
            line.strip()
            for line in (post.get(f"{prefix}rra_issue_areas") or "").splitlines()
            if line.strip()
        ],
    }


def question_values(post: Any, languages: list[str], prefix: str = "") -> Data:
    """A question's data; parameters of other answer types than the chosen one are dropped,
    so changing the type never trips over the old type's settings."""
    kind = post.get(f"{prefix}type") or ""
    keep = _TYPE_PARAMETERS.get(kind, ())
    data: Data = {
        "code": (post.get(f"{prefix}code") or "").strip(),
        "type": kind,
        "text": _texts(post, f"{prefix}text", languages),
        "help": _texts(post, f"{prefix}help", languages),
        "required": bool(post.get(f"{prefix}required")),
        "evidence_required": bool(post.get(f"{prefix}evidence_required")),
        "allow_not_applicable": kind == "yes_no"
        and bool(post.get(f"{prefix}allow_not_applicable")),
        "expected": (post.get(f"{prefix}expected") or None) if "expected" in keep else None,
        "minimum": (post.get(f"{prefix}minimum") or "").strip() or None,
        "maximum": (post.get(f"{prefix}maximum") or "").strip() or None,
        "unit": _texts(post, f"{prefix}unit", languages),
        "max_age_days": (post.get(f"{prefix}max_age_days") or "").strip() or None,
        "choices": _choices(post.get(f"{prefix}choices") or "", languages),
        "shown_when": None,
    }
    for name in ("minimum", "maximum", "unit", "max_age_days", "choices"):
        if name not in keep:
            data[name] = {} if name == "unit" else ([] if name == "choices" else None)
    depends_on = (post.get(f"{prefix}shown_when") or "").strip()
    if depends_on:
        data["shown_when"] = {
            "question": depends_on,
            "answer_in": _list(post.get(f"{prefix}answer_in") or ""),
        }
    return data


def _choices(text: str, languages: list[str]) -> list[Data]:
    """One choice a line: ``value | outcome | label in each language, in order``."""
    choices = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 2 + len(languages):
            raise StandardFileError(
                f"choice line {number} needs value | outcome | "
                + " | ".join(f"label ({lang})" for lang in languages),
                field="choices",
            )
        value, outcome, *labels = parts
        if outcome and outcome not in OUTCOMES:
            raise StandardFileError(
                f"choice line {number}: the outcome is one of {', '.join(OUTCOMES)} or empty",
                field="choices",
            )
        choices.append(
            {
                "value": value,
                "outcome": outcome or None,
                "label": dict(zip(languages, labels, strict=True)),
            }
        )
    return choices


# --- the same, as form fields -------------------------------------------------------------------


def _text_fields(
    name: str, label: Any, languages: list[str], texts: Any, *, kind: str = "text", req: bool
) -> list[Field]:
    return [
        Field(
            name=name + "-" + lang,
            label=f"{label} ({lang})",
            kind=kind,
            value=(texts or {}).get(lang, "") if isinstance(texts, dict) else "",
            lang=lang,
            required=req,
        )
        for lang in languages
    ]


def _posted_texts(post: Any, name: str, languages: list[str]) -> dict[str, str]:
    return {lang: post.get(f"{name}-{lang}", "") for lang in languages}


def _source(
    data: Data | None, post: Any, prefix: str, languages: list[str], texts: tuple[str, ...]
) -> Data:
    """Field values from the posted form when there is one, else from the data."""
    if post is None:
        return data or {}
    values = {key[len(prefix) :]: post.get(key) for key in post if key.startswith(prefix)}
    for name in texts:
        values[name] = _posted_texts(post, prefix + name, languages)
    return values


def header_fields(
    languages: list[str], data: Data | None = None, post: Any = None, prefix: str = ""
) -> list[Field]:
    v = _source(data, post, prefix, languages, ("title", "description"))
    return [
        Field(prefix + "version", _("Version"), value=v.get("version", ""), required=True),
        *_text_fields(prefix + "title", _("Title"), languages, v.get("title"), req=True),
        *_text_fields(
            prefix + "description", _("Description"), languages, v.get("description"),
            kind="textarea", req=False,
        ),
    ]  # fmt: skip


def section_fields(
    languages: list[str], data: Data | None = None, post: Any = None, prefix: str = ""
) -> list[Field]:
    v = _source(data, post, prefix, languages, ("title",))
    return [
        Field(prefix + "code", _("Section code"), value=v.get("code", ""), required=True),
        *_text_fields(prefix + "title", _("Section title"), languages, v.get("title"), req=True),
    ]


def criterion_fields(
    languages: list[str], data: Data | None = None, post: Any = None, prefix: str = ""
) -> list[Field]:
    v = _source(data, post, prefix, languages, ("requirement", "guidance", "improvement_steps"))
    listed = {
        name: ", ".join(str(x) for x in v[name]) if isinstance(v.get(name), list) else v.get(name)
        for name in ("ilo_conventions", "oecd_annex_ii")
    }
    areas = v.get("rra_issue_areas")
    return [
        Field(prefix + "code", _("Criterion code"), value=v.get("code", ""), required=True),
        Field(
            prefix + "severity",
            _("Severity"),
            kind="select",
            value=v.get("severity", ""),
            options=list(Severity.choices),
            required=True,
        ),
        *_text_fields(
            prefix + "requirement", _("Requirement"), languages, v.get("requirement"),
            kind="textarea", req=True,
        ),
        *_text_fields(
            prefix + "guidance", _("Guidance"), languages, v.get("guidance"),
            kind="textarea", req=False,
        ),
        *_text_fields(
            prefix + "improvement_steps", _("Improvement steps, one per line"), languages,
            v.get("improvement_steps"), kind="textarea", req=False,
        ),
        Field(
            prefix + "ilo_conventions", _("ILO conventions"), value=listed["ilo_conventions"] or "",
            hint=_("Separated by commas, e.g. C138, C182"),
        ),
        Field(
            prefix + "oecd_annex_ii", _("OECD Annex II risks"),
            value=listed["oecd_annex_ii"] or "", hint=_("Numbers 1 to 10, separated by commas"),
        ),
        Field(
            prefix + "rra_issue_areas", _("RRA issue areas, one per line"), kind="textarea",
            value="\n".join(areas) if isinstance(areas, list) else (areas or ""),
        ),
    ]  # fmt: skip


def _choice_lines(choices: Any, languages: list[str]) -> str:
    if isinstance(choices, str):
        return choices
    lines = []
    for choice in choices or []:
        labels = [choice.get("label", {}).get(lang, "") for lang in languages]
        lines.append(" | ".join([choice["value"], choice.get("outcome") or "", *labels]))
    return "\n".join(lines)


def question_fields(
    languages: list[str], data: Data | None = None, post: Any = None, prefix: str = ""
) -> list[Field]:
    v = _source(data, post, prefix, languages, ("text", "help", "unit"))
    condition = v.get("shown_when")
    if isinstance(condition, dict):
        depends_on, answer_in = condition["question"], ", ".join(condition["answer_in"])
    else:
        depends_on, answer_in = condition or "", v.get("answer_in") or ""

    def number(name: str) -> str:
        value = v.get(name)
        return "" if value is None else str(value)

    return [
        Field(prefix + "code", _("Question code"), value=v.get("code", ""), required=True),
        Field(
            prefix + "type", _("Answer type"), kind="select", value=v.get("type", ""),
            options=list(AnswerType.choices), required=True,
        ),
        *_text_fields(prefix + "text", _("Question"), languages, v.get("text"),
                      kind="textarea", req=True),
        *_text_fields(prefix + "help", _("Help"), languages, v.get("help"), kind="textarea",
                      req=False),
        Field(prefix + "required", _("An answer is required"), kind="checkbox",
              value=bool(v.get("required", post is None))),
        Field(prefix + "evidence_required", _("Evidence is required"), kind="checkbox",
              value=bool(v.get("evidence_required"))),
        Field(prefix + "allow_not_applicable", _("Offer 'not applicable' (yes/no)"),
              kind="checkbox", value=bool(v.get("allow_not_applicable"))),
        Field(prefix + "expected", _("Expected answer (yes/no)"), kind="select",
              value=v.get("expected") or "",
              options=[("", "—"), ("yes", _("Yes")), ("no", _("No"))]),
        Field(prefix + "minimum", _("Minimum (number)"), value=number("minimum")),
        Field(prefix + "maximum", _("Maximum (number)"), value=number("maximum")),
        *_text_fields(prefix + "unit", _("Unit (number)"), languages, v.get("unit"), req=False),
        Field(prefix + "max_age_days", _("At most so many days old (date)"),
              value=number("max_age_days")),
        Field(
            prefix + "choices", _("Choices, one per line (choice)"), kind="textarea",
            value=_choice_lines(v.get("choices"), languages),
            hint=_("value | outcome (met, partly, not_met, na or empty) | %(labels)s")
            % {"labels": " | ".join(f"label ({lang})" for lang in languages)},
        ),
        Field(prefix + "shown_when", _("Shown only when question"), value=depends_on,
              hint=_("The code of an earlier yes/no or choice question; empty: always shown")),
        Field(prefix + "answer_in", _("… got one of the answers"), value=answer_in,
              hint=_("Separated by commas, e.g. yes, partly")),
    ]  # fmt: skip
