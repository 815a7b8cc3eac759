"""How declarations follow the registry's matches as they change.

A smelter row that went to the review queue points at its review, and a decision on the review
(a person's, or the re-matching job's when a new reference list settles the name) is what links
the row to a facility: the row itself is never rewritten, so its digest in the transparency log
stays what the ledger vouched for. What is derived from matches, the red flags, is computed when
read; only the counts kept for lists and filters are refreshed here after every re-matching.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Membership
from oretrace.core.tenancy import owned
from oretrace.declarations.models import Declaration, SmelterEntry, Supplier
from oretrace.declarations.services import refresh_issue_counts
from oretrace.registry.choices import ReviewStatus
from oretrace.registry.models import MatchReview
from oretrace.registry.queries import ReviewFacet, register_review_facet
from oretrace.registry.reviews import REMATCH_ACTOR, RematchOutcome, on_rematch


def _organisations_with_rows() -> Iterable[int]:
    return set(
        Declaration.objects.filter(
            pk__in=SmelterEntry.objects.values("declaration_id")
        ).values_list("organisation_id", flat=True)
    )


@on_rematch(organisations=_organisations_with_rows)
def refresh_after_rematch(outcome: RematchOutcome) -> None:
    """After an organisation's names were matched again: its declarations' flag counts."""
    refresh_issue_counts(outcome.organisation_id, actor=REMATCH_ACTOR)


def _suppliers_with_open_reviews(member: Membership) -> list[tuple[str, str]]:
    """Suppliers whose declarations have rows waiting in the member's review queue."""
    waiting = SmelterEntry.objects.filter(
        declaration__in=owned(Declaration.objects.all(), member),
        review__status=ReviewStatus.OPEN,
    ).values("declaration__supplier_id")
    suppliers = owned(Supplier.objects.all(), member).filter(pk__in=waiting)
    return [(str(pk), name) for pk, name in suppliers.values_list("pk", "name")]


def _named_by_supplier(queue: QuerySet[MatchReview], value: str) -> QuerySet[MatchReview]:
    if not value.isdigit():
        return queue.none()
    rows = SmelterEntry.objects.filter(declaration__supplier_id=int(value)).values("review_id")
    return queue.filter(pk__in=rows)


register_review_facet(
    ReviewFacet(
        key="supplier",
        label=_("Supplier"),
        choices=_suppliers_with_open_reviews,
        narrow=_named_by_supplier,
    )
)
