"""Appends from several connections at once: consecutive indexes, one tree, no fork."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from oretrace.core.actors import SYSTEM
from oretrace.core.models import Organisation
from oretrace.core.tests.factories import OrganisationFactory
from oretrace.ledger import merkle
from oretrace.ledger import services as ledger
from oretrace.ledger.merkle import MemoryTree
from oretrace.ledger.models import Leaf, LogState
from oretrace.ledger.storage import DatabaseHashStore

THREADS, APPENDS = 4, 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_concurrent_appends_are_serialised():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]  # SQLite's own
        pytest.skip("an in-memory SQLite database does not wait for its lock across threads")
    # given records and several workers, each with its own database connection
    orgs = OrganisationFactory.create_batch(THREADS * APPENDS)
    errors: list[BaseException] = []

    def work(mine: list[Organisation]) -> None:
        try:
            for org in mine:
                with transaction.atomic():
                    ledger.append(org, actor=SYSTEM)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # when they all append at the same time
    threads = [
        threading.Thread(target=work, args=(orgs[i * APPENDS : (i + 1) * APPENDS],))
        for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every leaf got its own consecutive index, and the stored tree is the leaves' tree
    assert not errors
    indexes = list(Leaf.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(len(indexes)))
    tree = MemoryTree()
    for entry in Leaf.objects.order_by("index").values_list("entry", flat=True):
        tree.append(bytes(entry))
    size = LogState.objects.get().size
    assert size == tree.size
    assert merkle.root(size, DatabaseHashStore()) == tree.root()
