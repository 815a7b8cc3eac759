"""The registry's review queue, narrowed by supplier: which supplier's declarations named the
names waiting for a decision.

A smelter row that went to the review queue points at its review, and a decision on the review
(a person's, or the re-matching job's when a new reference list settles the name) is what links
the row to a facility: the row itself is never rewritten, so its digest in the transparency log
stays what the ledger vouched for. What is derived from matches, the red flags, is computed when
read; the counts kept for lists and filters are refreshed after every re-matching
(``tasks.refresh_after_rematch``). ``SUPPLIER_FACET`` is registered with the registry's queue
in ``DeclarationsConfig.ready()``.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Membership
from oretrace.core.tenancy import owned
from oretrace.declarations.models import Declaration, SmelterEntry, Supplier
from oretrace.registry.choices import ReviewStatus
from oretrace.registry.models import MatchReview
from oretrace.registry.queries import ReviewFacet


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


SUPPLIER_FACET = ReviewFacet(
    key="supplier",
    label=_("Supplier"),
    choices=_suppliers_with_open_reviews,
    narrow=_named_by_supplier,
)
