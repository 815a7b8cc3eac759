"""Demo data of the ledger: a signed checkpoint over the demo organisations' registrations."""

from __future__ import annotations

from collections.abc import Callable

from oretrace.core.demo import ACTOR, demo_step
from oretrace.core.models import Organisation
from oretrace.ledger import services as ledger
from oretrace.ledger.models import Leaf


@demo_step("ledger: organisation registrations and a checkpoint")
def build_ledger(say: Callable[[str], None]) -> None:
    logged = set(
        Leaf.objects.filter(record_type="core.organisation").values_list("record_id", flat=True)
    )
    missing = [o for o in Organisation.objects.order_by("pk") if str(o.pk) not in logged]
    if missing:
        # Organisations created before the ledger existed get their first leaf now.
        from django.db import transaction

        with transaction.atomic():
            ledger.append_many(missing, actor=ACTOR)
    checkpoint = ledger.sign_checkpoint(actor=ACTOR)
    say(f"ledger: {checkpoint.size} leaves, checkpoint signed")
