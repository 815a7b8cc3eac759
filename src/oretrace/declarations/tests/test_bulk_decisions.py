"""Deciding on several declarations at once, from the list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oretrace.declarations import services
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.models import Declaration
from oretrace.declarations.services import imports
from oretrace.declarations.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(member_a, filled):
    made = []
    for part in ("JX Advanced", "SK", "Merck"):
        name, data = filled(part)
        made.append(imports.import_declaration(data, name, actor=member_a, today=TODAY).declaration)
    return made


def test_the_chosen_declarations_are_decided_and_each_refusal_is_named(three, web_a, member_a):
    services.decide(three[0], status="accepted", note="earlier", actor=member_a)
    response = web_a.post(
        reverse("declarations:decide_selected"),
        {
            "declaration": [d.pk for d in three],
            "status": "accepted",
            "note": "reviewed together",
            "next": "?status=received",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("?status=received")
    page = response.content.decode()
    assert "2 declarations decided." in page
    assert "is already accepted" in page  # the first one, named with its supplier
    assert three[0].supplier.name in page
    statuses = set(Declaration.objects.values_list("status", flat=True))
    assert statuses == {"accepted"}


def _statuses():
    return dict(Declaration.objects.values_list("pk", "status"))


def test_asking_for_corrections_needs_a_note_and_changes_nothing_without_one(three, web_a):
    before = _statuses()
    response = web_a.post(
        reverse("declarations:decide_selected"),
        {"declaration": [d.pk for d in three], "status": "needs_correction"},
        follow=True,
    )
    assert "say in a note" in response.content.decode()
    assert _statuses() == before


def test_another_organisations_declarations_are_not_touched(three, web_b):
    before = _statuses()
    web_b.post(
        reverse("declarations:decide_selected"),
        {"declaration": [d.pk for d in three], "status": "accepted", "note": "x"},
    )
    assert _statuses() == before


def test_nothing_chosen_or_too_many_is_refused_by_name(member_a):
    with pytest.raises(DeclarationError, match="at least one"):
        services.decide_many([], status="accepted", actor=member_a)
    with pytest.raises(DeclarationError, match="at most 200"):
        services.decide_many([Declaration()] * 201, status="accepted", actor=member_a)


def test_the_list_offers_the_bulk_decision_only_to_deciders(three, web_a, member_a):
    page = web_a.get(reverse("declarations:list")).content.decode()
    assert 'name="declaration"' in page
    assert reverse("declarations:decide_selected") in page
