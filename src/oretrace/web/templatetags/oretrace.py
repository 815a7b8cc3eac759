"""Template helpers of the shell."""

import math
from typing import Any

from django import template
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.urls import reverse

from oretrace.core.models import Job

register = template.Library()


@register.filter
def changes_url(obj: Model) -> str:
    """Link to the change log page of any model instance."""
    meta = obj._meta
    return reverse("web:changes", args=[meta.app_label, meta.model_name, obj.pk])


@register.filter
def job_title(job: Job) -> str:
    """A job's title in the reader's language (see ``oretrace.core.job_texts.job_title``)."""
    from oretrace.core.job_texts import job_title as title

    return title(job)


@register.filter
def job_message(entry: object) -> str:
    """A job's progress message in the reader's language (its stored English if no template)."""
    from oretrace.core.job_texts import message_text

    return message_text(entry) if isinstance(entry, dict) else str(entry)


@register.filter
def job_result(job: Job) -> list[Any]:
    """A job's result as (label, value, is_code) rows, its codes named in the reader's language."""
    from oretrace.core.job_texts import result_rows

    return result_rows(job)


@register.filter
def stored_text(data: object, fallback: str = "") -> str:
    """A text stored as a catalogue template and its values, in the reader's language; the
    stored English ``fallback`` for rows written before templates were stored."""
    from oretrace.core.stored_text import StoredText

    return StoredText.render(data, fallback=fallback)


@register.filter
def job_kind(job: Job) -> str:
    """What kind of job it is, in the reader's language (its code when the kind is unknown)."""
    from oretrace.core.jobs import job_kinds

    spec = job_kinds().get(job.kind)
    return str(spec.title) if spec is not None else job.kind


@register.filter
def model_name(content_type: ContentType) -> str:
    """The name of a content type's model in the reader's language."""
    from oretrace.web.model_names import model_name as translated

    return translated(str(content_type.name))


@register.filter
def record_type(value: object) -> str:
    """A ledger record type (``core.organisation``) named in the reader's language."""
    from django.apps import apps
    from django.utils.text import capfirst

    from oretrace.web.model_names import model_name as translated

    try:
        model = apps.get_model(str(value))
    except (LookupError, ValueError):
        return str(value)
    return str(capfirst(translated(str(model._meta.verbose_name))))


@register.filter
def lookup(mapping: object, key: object) -> object:
    """``mapping[key]``, or the key itself when the mapping has no such entry."""
    try:
        return mapping[key]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        return key


@register.filter
def svgnum(value: object) -> str:
    """A number for an SVG attribute or a data attribute: a dot for decimals, never localised.

    Every number a template writes into SVG goes through this filter (a project test checks it),
    since Django would otherwise write ``0,5`` in French and the browser drop the shape.
    Up to three decimals, trailing zeros removed; anything that is not a number gives ``0``.
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "0"
    if not math.isfinite(number):
        return "0"
    text = f"{number:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@register.filter
def negate(value: object) -> str:
    """``-value`` as plain text (SVG's y axis points down, latitude points up)."""
    try:
        return format(-float(value), "f")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""


@register.filter
def jsonish(value: object) -> str:
    """Short readable rendering of a before/after value."""
    if value is None:
        return "—"
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


@register.filter
def mineral(code: object) -> str:
    """A mineral's name in the reader's language, from its code (other text as it is)."""
    from oretrace.core.reference import mineral_name

    return mineral_name(str(code or ""))


@register.filter
def assurance_status(status: object) -> str:
    """An assurance status (``Conformant``, ``Active`` …) in the reader's language."""
    from oretrace.registry.choices import status_label

    return status_label(str(status or ""))


@register.filter
def source_label(source: object) -> str:
    """Where a registry entry comes from, in the reader's language when oretrace wrote it."""
    from oretrace.registry.choices import source_label as label

    return label(str(source or ""))


@register.filter
def answer(value: object) -> str:
    """A template's fixed answer ("Yes", "Greater than 75%") in the reader's language; any
    other text as the supplier wrote it."""
    from django.utils.translation import gettext

    from oretrace.declarations.choices import ANSWER_TEXTS

    text = str(value or "")
    return gettext(text) if text in ANSWER_TEXTS else text


@register.filter
def review_origin(origin: object) -> str:
    """Where a name waiting for review came from, in the reader's language."""
    from oretrace.registry.origins import origin_text

    return origin_text(str(origin or ""))


@register.filter
def role_labels(codes: object) -> list[str]:
    """Role codes as their translated names (unknown codes as they are)."""
    from oretrace.core.choices import Role

    labels = dict(Role.choices)
    return [str(labels.get(code, code)) for code in (codes or [])]  # type: ignore[attr-defined]


@register.inclusion_tag("web/_export_links.html", takes_context=True)
def export_links(context: template.Context) -> dict[str, object]:
    """The "Download CSV / XLSX" links of a list page: its filters, every page, as a file."""
    from oretrace.web.exports import export_query

    request = context["request"]
    return {
        "csv_query": export_query(request, "csv"),
        "xlsx_query": export_query(request, "xlsx"),
    }


@register.filter
def fact_rows(document: object) -> list[Any]:
    """A verified record's facts as (key, value, label) rows (``ledger.records.fact_rows``)."""
    from oretrace.ledger.records import fact_rows as rows

    return rows(document)
