"""The demo: the mica processor assessed twice a year apart, improving, with a plan partly done,
and the results committed to the ledger."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from oretrace.assessments import queries
from oretrace.assessments.models import Assessment, Standard
from oretrace.core.demo import build_demo
from oretrace.core.models import Membership, User
from oretrace.ledger.models import Leaf

pytestmark = pytest.mark.django_db


def test_two_assessments_a_year_apart_show_improvement(demo):
    assert Standard.objects.filter(organisation__isnull=True).count() == 3
    first, second = Assessment.objects.filter(supplier__slug="giridih-mica").order_by(
        "submitted_at"
    )
    assert first.submitted_at is not None
    assert second.submitted_at is not None
    assert first.score is not None
    assert second.score is not None
    assert (second.submitted_at - first.submitted_at).days >= 360
    assert first.score < second.score
    assert first.status == "accepted"
    assert second.status == "submitted"
    done = first.actions.filter(status="done").count()
    assert 0 < done < first.actions.count() or second.actions.exclude(status="done").exists()
    assert second.actions.filter(support_requests__isnull=False).exists()
    assert Leaf.objects.filter(record_type="assessments.assessment").count() == 2
    # the initiative's training library covers gaps of the processor
    processor = Membership.objects.get(user__email="supplier@giridih.example")
    training = queries.training_by_criterion(second, processor)
    assert any(training[a.criterion.code] for a in second.actions.all())


def test_demo_is_idempotent(demo):
    build_demo()
    assert Assessment.objects.count() == 2
    assert Standard.objects.count() == 3


def test_the_initiative_and_the_processor_see_it_others_do_not(demo):
    second = Assessment.objects.order_by("-submitted_at").first()
    assert second is not None
    url = reverse("assessments:detail", args=[second.pk])
    for email, status in (
        ("grievance@initiative.example", 200),
        ("supplier@giridih.example", 200),
        ("compliance@aurelia.example", 404),
    ):
        client = Client()
        client.force_login(User.objects.get(email=email))
        response = client.get(url)
        assert response.status_code == status, email
    client = Client()
    client.force_login(User.objects.get(email="grievance@initiative.example"))
    page = client.get(url).content.decode()
    assert "Progress over time" in page
    facility = client.get(reverse("registry:facility", args=[second.facility_id]))
    assert f"{second.score} %" in facility.content.decode()


def test_the_buyer_assigns_to_the_shared_unit_and_sees_only_its_own(demo):
    """The processor shares its unit with its customer; the customer's compliance officer can
    assign the workplace assessment to it, and sees that assessment, not the initiative's."""
    buyer = Client()
    buyer.force_login(User.objects.get(email="compliance@rhein.example"))
    page = buyer.get(reverse("assessments:list"))
    unit = next(f for f in page.context["facilities"] if f.organisation.slug == "giridih-mica")
    standard = Standard.objects.get(code="mica-processing-workplace")
    response = buyer.post(
        reverse("assessments:list"),
        {"standard": standard.pk, "facility": unit.pk, "due_on": "2030-01-31"},
    )
    mine = Assessment.objects.get(organisation__slug="rhein-pigmente")
    assert response["Location"] == reverse("assessments:detail", args=[mine.pk])
    assert mine.supplier.slug == "giridih-mica"
    assert mine.facility == unit
    member = Membership.objects.get(user__email="compliance@rhein.example")
    assert list(queries.assessments_for(member)) == [mine]
    assert queries.history(mine, member) == []  # nothing submitted to the buyer yet
    initiatives = Assessment.objects.filter(organisation__slug="mica-initiative")
    assert initiatives.count() == 2
    for other in initiatives:
        assert buyer.get(reverse("assessments:detail", args=[other.pk])).status_code == 404
    # the processor answers both; the initiative does not see the buyer's
    processor = Membership.objects.get(user__email="supplier@giridih.example")
    assert set(queries.assessments_for(processor)) == {mine, *initiatives}
    initiative = Client()
    initiative.force_login(User.objects.get(email="grievance@initiative.example"))
    assert initiative.get(reverse("assessments:detail", args=[mine.pk])).status_code == 404
