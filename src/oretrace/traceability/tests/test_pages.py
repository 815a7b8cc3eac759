"""Traceability pages: lists show only the member's events; another organisation's are 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oretrace.traceability import services
from oretrace.traceability.models import EpcisEvent
from oretrace.traceability.tests import documents as docs

pytestmark = pytest.mark.django_db


@pytest.fixture
def events_of_a(member_a):
    services.capture_document(
        docs.as_bytes(docs.document()), organisation=member_a.organisation, actor=member_a
    )
    return list(EpcisEvent.objects.filter(organisation=member_a.organisation))


def test_event_page_is_404_to_another_organisation(web_a, web_b, events_of_a):
    url = reverse("traceability:event", args=[events_of_a[0].pk])
    assert web_b.get(url).status_code == 404
    response = web_a.get(url)
    assert response.status_code == 200
    assert events_of_a[0].hash_id in response.content.decode()


def test_event_list_shows_only_own_events(web_a, web_b, events_of_a):
    ours = web_a.get(reverse("traceability:events")).content.decode()
    theirs = web_b.get(reverse("traceability:events")).content.decode()
    assert events_of_a[0].hash_id[14:26] in ours
    assert events_of_a[0].hash_id[14:26] not in theirs


def test_event_list_filters(web_a, events_of_a):
    page = web_a.get(reverse("traceability:events") + "?EQ_bizStep=shipping").content.decode()
    shipping = next(e for e in events_of_a if e.biz_step == "shipping")
    others = [e for e in events_of_a if e.biz_step != "shipping"]
    assert shipping.hash_id[14:26] in page
    assert all(e.hash_id[14:26] not in page for e in others)


def test_capture_form_stores_a_document(web_a, member_a):
    upload = SimpleUploadedFile("doc.jsonld", docs.as_bytes(docs.document()))
    response = web_a.post(reverse("traceability:capture"), {"document": upload})
    assert response.status_code == 302
    assert EpcisEvent.objects.filter(organisation=member_a.organisation).count() == 3


def test_capture_form_lists_the_problems(web_a):
    bad = docs.collection()
    bad["bizStep"] = "mining"
    upload = SimpleUploadedFile("doc.jsonld", docs.as_bytes(docs.document(bad)))
    response = web_a.post(reverse("traceability:capture"), {"document": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "bizStep" in page
    assert "&#x27;mining&#x27;" in page
    assert not EpcisEvent.objects.exists()


def test_navigation_names_the_custody_pages(web_a):
    page = web_a.get(reverse("web:dashboard")).content.decode()
    assert reverse("traceability:events") in page
