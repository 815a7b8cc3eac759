"""The roll-up written into the user's blank template, as a job.

A blank RMI template is an Excel workbook that can inflate to many megabytes and takes
openpyxl seconds to open and save, so the web process never reads it: `start_rollup_export`
keeps the upload as received (size checked while reading it, nothing parsed) and queues a
``declarations.rollup_export`` job; the worker (`run_rollup_export`) checks the blank, rolls up
and fills it, reporting each step, and keeps the filled workbook for `filled_file`, which the
job's page links to. A blank that is not a blank template of the right family fails the job
with the reason, which the job's page shows.
"""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from oretrace.core.jobs import JobContext, start_job
from oretrace.core.models import Job, Membership
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.queries.rollup import LATEST, build_rollup
from oretrace.declarations.services import export

KIND = "declarations.rollup_export"
EXPORT_DIR = "exports"
SUFFIXES = (".xlsx", ".xlsm")


def _media(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def filled_path(job: Job) -> Path:
    """Where the filled workbook of an export job is kept (named when the job was started)."""
    return _media(job.params["filled"])


def download_name(job: Job) -> str:
    params = job.params
    slug = job.organisation.slug if job.organisation_id else "oretrace"
    return f"{slug}-{params['family']}-{params['year']}.xlsx"


def start_rollup_export(
    *,
    actor: Membership,
    family: str,
    year: int,
    blank: bytes,
    filename: str,
    contact: dict[str, str],
    company_answers: dict[str, str],
    effective: date,
) -> Job:
    """Keep the uploaded blank as received and queue the job that fills it (nothing of the
    workbook is read here)."""
    family = family.upper()
    if family not in LATEST:
        raise DeclarationError(
            _("unknown template family %(family)r: CMRT, EMRT, AMRT or CRT") % {"family": family}
        )
    if not filename.lower().endswith(SUFFIXES):
        raise DeclarationError(
            _("%(file)s: upload the blank template as .xlsx (the .xls format cannot be written)")
            % {"file": filename}
        )
    if not blank:
        raise DeclarationError(_("%(file)s is empty") % {"file": filename})
    suffix = ".xlsm" if filename.lower().endswith(".xlsm") else ".xlsx"
    # one file per upload: the job removes it once the filled workbook is kept
    token = secrets.token_hex(12)
    relative = f"{EXPORT_DIR}/{actor.organisation_id}/{token}-blank{suffix}"
    target = _media(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(blank)
    with transaction.atomic():
        return start_job(
            KIND,
            actor=actor,
            params={
                "family": family,
                "year": year,
                "blank": relative,
                "filled": f"{EXPORT_DIR}/{actor.organisation_id}/{token}-filled.xlsx",
                "filename": filename[:255],
                "contact": contact,
                "company_answers": company_answers,
                "effective": effective.isoformat(),
            },
            title=f"Fill {filename[:120]} with the {family} roll-up of {year}",
        )


def run_rollup_export(ctx: JobContext, actor: Membership, params: dict[str, Any]) -> dict:
    """The job's work: check the blank, roll up, fill, keep the result; returns the job result."""
    family, year, filename = params["family"], int(params["year"]), params["filename"]
    ctx.progress(2, f"reading {filename}")
    url = reverse("declarations:rollup_download", args=[ctx.job.pk])
    if filled_path(ctx.job).is_file():  # an earlier attempt filled it and stopped before the end
        ctx.progress(100, f"done: {download_name(ctx.job)} is ready to download")
        return {"data": {}, "url": url}
    try:
        blank = _media(params["blank"]).read_bytes()
    except OSError as exc:
        raise DeclarationError(f"the uploaded blank is gone: {exc}") from None
    ctx.progress(5, f"rolling up the accepted {family} declarations of {year}")
    rollup = build_rollup(actor, family, year)
    content = export.rollup_content(
        rollup,
        actor.organisation,
        contact=params["contact"],
        company_answers=params["company_answers"],
        effective=date.fromisoformat(params["effective"]),
    )
    ctx.progress(10, f"{len(rollup.declarations)} declaration(s), {len(content['smelters'])} rows")
    data = export.write_into_blank(
        blank,
        filename,
        content,
        progress=lambda percent, message: ctx.progress(10 + 0.85 * percent, message),
    )
    target = filled_path(ctx.job)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)  # a reader never sees half a file
    _media(params["blank"]).unlink(missing_ok=True)  # kept only until the filled one is
    ctx.progress(100, f"done: {download_name(ctx.job)} is ready to download")
    return {
        "data": {
            "declarations": len(rollup.declarations),
            "smelter rows": len(content["smelters"]),
        },
        "url": url,
    }
