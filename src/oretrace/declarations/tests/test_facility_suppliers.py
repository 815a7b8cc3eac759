"""Which suppliers named a smelter: from the facility to the declarations' rows that name it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oretrace.declarations.models import Declaration, SmelterEntry
from oretrace.declarations.queries import namings_of
from oretrace.declarations.services import imports
from oretrace.declarations.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_suppliers(registry_loaded, member_a, filled):
    made = []
    for part in ("JX Advanced", "SK"):
        name, data = filled(part)
        made.append(imports.import_declaration(data, name, actor=member_a, today=TODAY).declaration)
    return made


def _named_by_both(declarations):
    first, second = (
        set(
            SmelterEntry.objects.filter(declaration=d, facility__isnull=False).values_list(
                "facility_id", flat=True
            )
        )
        for d in declarations
    )
    shared = first & second
    assert shared, "the two real CMRTs name no smelter in common"
    return min(shared)


def test_the_page_lists_each_supplier_and_row_that_names_the_facility(
    two_suppliers, member_a, web_a
):
    facility_id = _named_by_both(two_suppliers)
    page = web_a.get(reverse("declarations:facility_suppliers", args=[facility_id]))
    assert page.status_code == 200
    html = page.content.decode()
    for declaration in two_suppliers:
        assert declaration.supplier.name in html
        assert reverse("declarations:detail", args=[declaration.pk]) in html
    assert "2 suppliers name it" in html
    rows = SmelterEntry.objects.filter(facility_id=facility_id, declaration__in=two_suppliers)
    assert len(namings_of(rows[0].facility, member_a)) == rows.count()


def test_a_superseded_declaration_no_longer_counts(two_suppliers, member_a):
    facility_id = _named_by_both(two_suppliers)
    facility = SmelterEntry.objects.filter(facility_id=facility_id).first().facility
    first, second = two_suppliers
    assert {n.declaration.pk for n in namings_of(facility, member_a)} == {first.pk, second.pk}
    # when the first is superseded (as a newer file from its supplier does)
    Declaration.objects.filter(pk=first.pk).update(superseded_by=second)
    # then only the current one names the facility
    assert {n.declaration.pk for n in namings_of(facility, member_a)} == {second.pk}


def test_another_organisation_sees_none_of_it(two_suppliers, member_b, web_b):
    facility_id = _named_by_both(two_suppliers)
    facility = SmelterEntry.objects.filter(facility_id=facility_id).first().facility
    assert namings_of(facility, member_b) == []
    html = web_b.get(reverse("declarations:facility_suppliers", args=[facility_id])).content
    assert two_suppliers[0].supplier.name.encode() not in html
