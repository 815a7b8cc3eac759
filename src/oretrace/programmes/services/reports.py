"""Donor reports: a programme's indicators for a period issued as a PDF, kept byte for byte,
and its fingerprint (SHA-256 of the file, with the programme and the period) committed to the
transparency log. The report names cases by their pseudonymous references only."""

from __future__ import annotations

import hashlib
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction
from oretrace.ledger import services as ledger
from oretrace.programmes import report
from oretrace.programmes.exceptions import ProgrammeError
from oretrace.programmes.models import DonorReport, Programme
from oretrace.programmes.permissions import can_issue_reports
from oretrace.programmes.services.setup import Actor


@transaction.atomic
def issue_report(
    programme: Programme,
    *,
    actor: Actor,
    label: str,
    starts_on: date,
    ends_on: date,
    language: str = "en",
) -> DonorReport:
    """Issue the programme's donor report for a period (a reporting period, or any dates)."""
    can_issue_reports.require(actor, organisation_id=programme.organisation_id)
    if ends_on < starts_on:
        raise ProgrammeError(_("A period cannot end before it starts."), field="ends_on")
    if not label.strip():
        raise ProgrammeError(_("Give the period a name."), field="label")
    issued_at = timezone.now()
    context = report.report_context(
        programme,
        label=label.strip()[:60],
        starts_on=starts_on,
        ends_on=ends_on,
        issued_at=issued_at,
        language=language,
    )
    document = report.render(context, language=language)
    row = DonorReport.objects.create(
        organisation_id=programme.organisation_id,
        created_by=getattr(actor, "user", None),
        created_at=issued_at,
        programme=programme,
        period_label=label.strip()[:60],
        starts_on=starts_on,
        ends_on=ends_on,
        sha256=hashlib.sha256(document).hexdigest(),
        document=document,
    )
    log_change(row, action=ChangeAction.CREATE, actor=actor)
    ledger.append(row, actor=actor)
    return row
