"""Decisions on declarations: accept, reject or send back, one or many; the counts they keep.

Each function is one transaction with its change-log entry; accepting a declaration puts its
fingerprint in the transparency log in the same transaction, and the campaign requests the
declaration answered follow the decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from oretrace.core.actors import SystemActor
from oretrace.core.changelog import log_change, snapshot
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import OretraceError, PermissionDenied
from oretrace.core.models import Membership
from oretrace.declarations.choices import REQUEST_FOLLOWS, DeclarationStatus
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.models import CampaignRequest, Declaration, SmelterEntry
from oretrace.declarations.permissions import can_decide_declarations, require_own
from oretrace.declarations.queries import current_issues, issue_counts
from oretrace.ledger import queries as ledger_queries
from oretrace.ledger import records
from oretrace.ledger import services as ledger


@dataclass(frozen=True)
class BulkDecision:
    """What a decision on several declarations did: those decided, and why others were not."""

    decided: list[Declaration]
    refused: list[tuple[Declaration, str]]


# At most this many declarations are decided by one request (a page holds 50).
MAX_BULK_DECISIONS = 200


def decide_many(
    declarations: Sequence[Declaration], *, status: str, actor: Membership, note: str = ""
) -> BulkDecision:
    """The same decision on each declaration, each in its own transaction: one that cannot
    take it (already decided so, checker errors without a note, another organisation's)
    is reported with the reason and the others are still decided."""
    if len(declarations) > MAX_BULK_DECISIONS:
        raise DeclarationError(
            f"{len(declarations)} declarations chosen; decide at most {MAX_BULK_DECISIONS} at once"
        )
    if not declarations:
        raise DeclarationError("choose at least one declaration")
    decided: list[Declaration] = []
    refused: list[tuple[Declaration, str]] = []
    for declaration in declarations:
        try:
            decided.append(decide(declaration, status=status, actor=actor, note=note))
        except PermissionDenied:
            raise
        except OretraceError as exc:
            refused.append((declaration, str(exc)))
    return BulkDecision(decided, refused)


@transaction.atomic
def decide(
    declaration: Declaration, *, status: str, actor: Membership, note: str = ""
) -> Declaration:
    """Accept, reject or send back a declaration. Accepting one with checker errors needs a note.

    An accepted declaration's fingerprint is appended to the transparency log, and so is every
    later decision on it (its status is among the committed facts).
    """
    require_own(actor, can_decide_declarations, "declaration", declaration)
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if status not in DeclarationStatus.values or status == DeclarationStatus.RECEIVED:
        raise DeclarationError(
            f"'{status}' is not a decision; use accepted, rejected or needs_correction"
        )
    if declaration.status == status:
        raise DeclarationError(
            f"declaration #{declaration.pk} is already {declaration.get_status_display().lower()}"
        )
    note = note.strip()
    if status == DeclarationStatus.ACCEPTED and declaration.error_count and not note:
        raise DeclarationError(
            f"declaration #{declaration.pk} has {declaration.error_count} checker error(s); "
            "ask the supplier for a corrected file, or say in a note why it is accepted anyway"
        )
    if status in (DeclarationStatus.REJECTED, DeclarationStatus.NEEDS_CORRECTION) and not note:
        raise DeclarationError("say in a note what the supplier must correct or why it is rejected")
    before = snapshot(declaration)
    declaration.status = status
    stamp = f"{timezone.now():%Y-%m-%d} {actor.user.email}"
    declaration.status_note = f"{stamp}: {note}" if note else stamp
    declaration.save(update_fields=["status", "status_note", "updated_at"])
    log_change(declaration, action=ChangeAction.UPDATE, actor=actor, before=before)
    if (
        status == DeclarationStatus.ACCEPTED
        or ledger_queries.history(
            records.for_record(declaration).name, str(declaration.pk)
        ).exists()
    ):
        # accepted: committed; a later decision on a committed declaration: a new version
        ledger.append(declaration, actor=actor)
    # Campaign requests answered by this declaration follow the decision.
    follow_decision(declaration, actor=actor)
    return declaration


def follow_decision(declaration: Declaration, *, actor: Membership | SystemActor) -> None:
    """After a decision on a declaration, move the requests it answered along with it.

    Called by `decide` inside its transaction. A rejected declaration sends the
    request back to "needs correction": the campaign still waits for a usable one.
    """
    status = REQUEST_FOLLOWS[DeclarationStatus(declaration.status)]
    for request in CampaignRequest.objects.filter(declaration=declaration).exclude(status=status):
        before = snapshot(request)
        request.status = status
        request.save(update_fields=["status", "updated_at"])
        log_change(request, action=ChangeAction.UPDATE, actor=actor, before=before)


def refresh_issue_counts(organisation_id: int, *, actor: Membership | SystemActor) -> int:
    """Bring the stored red-flag and warning counts of the organisation's declarations up to
    date with their current registry flags (after re-matching, a decided review, a new status);
    returns how many declarations changed. The counts serve lists and filters; the flags
    themselves are always derived when read (``queries.current_issues``). Neither the smelter
    rows nor anything the transparency log commits to is touched."""
    changed = 0
    declarations = (
        Declaration.objects.filter(
            organisation_id=organisation_id,
            pk__in=SmelterEntry.objects.values("declaration_id"),
        )
        .only("pk", "organisation_id", "issues", "flag_count", "warning_count", "error_count")
        .order_by("pk")
    )
    for declaration in declarations.iterator(200):
        counts = issue_counts(current_issues(declaration))
        if (declaration.flag_count, declaration.warning_count) == (
            counts["flag"],
            counts["warning"],
        ):
            continue
        with transaction.atomic():
            before = snapshot(declaration)
            declaration.flag_count = counts["flag"]
            declaration.warning_count = counts["warning"]
            declaration.save(update_fields=["flag_count", "warning_count", "updated_at"])
            log_change(declaration, action=ChangeAction.UPDATE, actor=actor, before=before)
        changed += 1
    return changed
