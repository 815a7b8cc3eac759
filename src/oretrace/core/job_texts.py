"""How a job reads to a person: its title, messages and result in the reader's language.

Jobs store their texts as catalogue templates and values (``core.stored_text``); these read them
back. Presentation only: nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oretrace.core.jobs import job_kinds
from oretrace.core.models import Job
from oretrace.core.stored_text import StoredText


def message_text(entry: Mapping[str, Any]) -> str:
    """A job message in the reader's language (its stored English when it has no template)."""
    return StoredText.render(entry, fallback=str(entry.get("text", "")))


def job_title(job: Job) -> str:
    """A job's title in the reader's language: its own template, else its kind's title when it
    is the one stored, else the stored text."""
    if job.title_text:
        return StoredText.render(job.title_text, fallback=job.title)
    spec = job_kinds().get(job.kind)
    if spec is not None and job.title == spec.english_title:
        return str(spec.title)
    return job.title


def result_rows(job: Job) -> list[tuple[str, Any, bool]]:
    """A job's result as (label, value, is_code) rows: the kind's label of each code, or the
    code itself (to be shown as code) when the kind names none.

    Rows follow the order of the kind's labels, then the unnamed codes by name: the stored
    result's own key order is not kept by every database (PostgreSQL's jsonb sorts them)."""
    spec = job_kinds().get(job.kind)
    labels = spec.result_labels if spec is not None else {}
    result = job.result if isinstance(job.result, Mapping) else {}
    order = {code: index for index, code in enumerate(labels)}
    codes = sorted(result, key=lambda code: (order.get(code, len(order)), str(code)))
    return [
        (str(labels[code]), result[code], False)
        if code in labels
        else (str(code), result[code], True)
        for code in codes
    ]
