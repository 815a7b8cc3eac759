"""Grievance statistics shown to buyers (issue 20 §5): counts of linked cases by category and
quarter beside a facility's risk, with no cell under five, and totals that do not give a
suppressed count away. Hand-counted cases: five of one kind (shown), four of another ("<5")."""

from __future__ import annotations

import datetime

import pytest

from oretrace.core.services import grant_access
from oretrace.core.tests.factories import MembershipFactory
from oretrace.grievances import cells, queries
from oretrace.grievances.tests.factories import CaseFactory, CaseLinkFactory, ChannelFactory
from oretrace.registry.tests.factories import FacilityFactory
from oretrace.traceability.tests.factories import LotFactory

pytestmark = pytest.mark.django_db

NOVEMBER = datetime.date(2026, 11, 2)


def test_a_count_under_five_reads_less_than_five_and_five_is_shown():
    assert [cells.cell(n) for n in (0, 1, 4, 5, 12)] == ["<5", "<5", "<5", "5", "12"]


def test_a_total_is_exact_only_when_each_of_its_counts_is_shown():
    assert cells.total([5, 7]) == "12"
    assert cells.total([9, 4]) == "≥5"  # 13 - 9 would give the 4 away
    assert cells.total([1, 2]) == "<5"
    assert cells.total([]) == "<5"


def test_no_suppressed_cell_can_be_worked_back_from_the_table():
    shown = cells.table(
        {("a", "Q1"): 5, ("a", "Q2"): 4, ("b", "Q1"): 6, ("b", "Q2"): 8},
        ["a", "b"],
        ["Q1", "Q2"],
    )
    assert shown.row("a") == ["5", "<5"]
    assert shown.row("b") == ["6", "8"]
    assert shown.row_totals == {"a": "≥5", "b": "14"}
    assert shown.column_totals == {"Q1": "11", "Q2": "≥5"}
    assert shown.total == "≥5"


@pytest.fixture
def unit(org_b):
    return FacilityFactory.create(organisation=org_b, name="Beta Mica Unit 1")


@pytest.fixture
def buyer(org_a, unit, member_a):
    """A's custody records hold a lot at B's unit: the unit is in A's supply chain."""
    LotFactory.create(organisation=org_a, facility=unit)
    return member_a


def _cases(unit, category: str, n: int, on: datetime.date = NOVEMBER) -> None:
    channel = ChannelFactory.create()
    for _ in range(n):
        case = CaseFactory.create(
            channel=channel, category=category, severity="high", received_on=on
        )
        CaseLinkFactory.create(case=case, facility=unit)


def test_the_buyer_sees_five_and_less_than_five(buyer, unit):
    # given: 5 child-labour cases and 4 wage cases linked to the unit in 2026-Q4
    _cases(unit, "child_labour", 5)
    _cases(unit, "wages_hours", 4)
    # when
    shown = queries.facility_statistics(buyer, unit)
    # then
    assert shown is not None
    assert shown.columns == ["2026-Q4"]
    assert shown.row("Worst forms of child labour") == ["5"]
    assert shown.row("Labour: wages and working hours") == ["<5"]
    assert shown.column_totals == {"2026-Q4": "≥5"}  # not 9: 9 - 5 gives the 4 away
    assert shown.total == "≥5"


def test_the_facility_page_shows_the_table_to_the_buyer(buyer, unit, web_a, member_b):
    grant_access(unit, to=buyer.organisation, actor=member_b)  # B shares its unit with A
    _cases(unit, "child_labour", 5)
    _cases(unit, "wages_hours", 4)
    page = web_a.get(f"/facilities/{unit.pk}/").content.decode()
    assert "Grievances linked to this facility" in page
    assert "<td>5</td>" in page
    assert "<td>&lt;5</td>" in page
    assert "<td>9</td>" not in page


def test_a_removed_link_an_untriaged_case_and_another_facility_do_not_count(buyer, unit):
    _cases(unit, "child_labour", 5)
    link = CaseLinkFactory.create(case__category="child_labour", facility=unit)
    link.removed_on = NOVEMBER
    link.save()
    CaseLinkFactory.create(case__category="", facility=unit)
    CaseLinkFactory.create(case__category="child_labour")  # another facility
    assert queries.linked_case_counts(unit.pk) == {("child_labour", "2026-Q4"): 5}


def test_a_lot_or_an_audit_at_the_facility_counts_for_it(buyer, unit):
    lot = LotFactory.create(facility=unit)
    CaseLinkFactory.create(target="lot", facility=None, lot=lot, case__category="other")
    assert queries.linked_case_counts(unit.pk) == {("other", "2026-Q4"): 1}


def test_nobody_outside_the_supply_chain_sees_them(unit, member_b, org_a):
    _cases(unit, "child_labour", 5)
    outsider = MembershipFactory.create(organisation=org_a)  # A holds no lot at the unit
    assert queries.facility_statistics(outsider, unit) is None
    # the facility's own organisation neither, even with a lot at its own unit
    LotFactory.create(organisation=member_b.organisation, facility=unit)
    assert queries.facility_statistics(member_b, unit) is None


def test_a_declaration_naming_the_facility_puts_it_in_the_chain(org_a, unit):
    from oretrace.declarations.tests.factories import SmelterEntryFactory

    entry = SmelterEntryFactory.create(declaration__organisation=org_a, facility=unit)
    assert queries.in_supply_chain(org_a.pk, unit.pk)
    assert not queries.in_supply_chain(entry.declaration.organisation_id + 10_000, unit.pk)
