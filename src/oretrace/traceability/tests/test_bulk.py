"""Rows straight through the driver: the ``IN`` conditions and inserts of a capture."""

from __future__ import annotations

import pytest
from django.db import connection

from oretrace.traceability import bulk
from oretrace.traceability.models import Lot

pytestmark = pytest.mark.django_db

AWKWARD = [
    'urn:x:"quoted"',
    "urn:x:back\\slash",
    "urn:x:{braces},comma",
    "urn:x:it's",
    "urn:x:tab\there",
    "urn:x:Jhumri Telaiya, माइका",
    "NULL",
    "",
]


def _codes_where(org, column: str, values) -> set[str]:
    table = connection.ops.quote_name(Lot._meta.db_table)
    found: set[str] = set()
    with connection.cursor() as cursor:
        for condition, params in bulk.where_in(column, values):
            cursor.execute(
                f"SELECT code FROM {table} WHERE organisation_id = %s AND {condition}",  # noqa: S608
                [org.pk, *params],
            )
            found.update(row[0] for row in cursor.fetchall())
    return found


def test_where_in_finds_text_values_exactly_as_written(org_a):
    Lot.objects.bulk_create(
        [Lot(organisation=org_a, code=code, kind="epc_class") for code in [*AWKWARD, "urn:x:other"]]
    )
    assert _codes_where(org_a, "code", AWKWARD) == set(AWKWARD)
    assert _codes_where(org_a, "code", ["urn:x:missing", 'urn:x:"quoted']) == set()


def test_where_in_finds_whole_numbers(org_a):
    lots = Lot.objects.bulk_create(
        [Lot(organisation=org_a, code=f"urn:x:{n}", kind="epc_class") for n in range(5)]
    )
    wanted = [lots[1].pk, lots[3].pk, 10**12]
    assert _codes_where(org_a, "id", wanted) == {"urn:x:1", "urn:x:3"}


def test_where_in_of_nothing_is_no_condition_and_mixed_values_are_refused():
    assert list(bulk.where_in("code", [])) == []
    if connection.vendor == "postgresql":
        with pytest.raises(TypeError, match="text or whole numbers"):
            list(bulk.where_in("code", ["a", 1]))  # type: ignore[arg-type]  # mixed on purpose
