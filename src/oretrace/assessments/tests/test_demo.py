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


@pytest.fixture
def demo():
    build_demo()


def test_two_assessments_a_year_apart_show_improvement(demo):
    assert Standard.objects.filter(organisation__isnull=True).count() == 3
    first, second = Assessment.objects.filter(supplier__slug="giridih-mica").order_by(
        "submitted_at"
    )
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
