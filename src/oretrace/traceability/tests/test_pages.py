"""Traceability pages: lists show only the member's events; another organisation's are 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oretrace.core.tests.harness import Page, PageTenancy, page_tenancy_tests
from oretrace.traceability import services
from oretrace.traceability.models import EpcisEvent, Lot
from oretrace.traceability.tests import documents as docs
from oretrace.traceability.urls import urlpatterns

pytestmark = pytest.mark.django_db


@pytest.fixture
def events_of_a(member_a):
    services.capture_document(
        docs.as_bytes(docs.document()), organisation=member_a.organisation, actor=member_a
    )
    return list(EpcisEvent.objects.filter(organisation=member_a.organisation))


def test_event_page_shows_the_event(web_a, events_of_a):
    url = reverse("traceability:event", args=[events_of_a[0].pk])
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


def _hashes_on(page: str, events: list[EpcisEvent]) -> set[str]:
    return {e.hash_id for e in events if e.hash_id[14:26] in page}


def test_event_list_filters_by_dates_as_whole_days(web_a, events_of_a):
    days = sorted({e.event_time.date() for e in events_of_a})
    first = days[0].isoformat()
    url = reverse("traceability:events")
    page = web_a.get(url, {"since": first, "until": first}).content.decode()
    assert _hashes_on(page, events_of_a) == {
        e.hash_id for e in events_of_a if e.event_time.date() == days[0]
    }
    assert "Clear filters" in page
    # the step is a choice, shown by its name; a wrong one or crossed dates name the problem
    page = web_a.get(url, {"EQ_bizStep": "mining"}).content.decode()
    assert "Select a valid choice" in page
    page = web_a.get(url, {"since": "2026-02-01", "until": "2026-01-01"}).content.decode()
    assert "The start date is after the end date." in page
    page = web_a.get(url, {"since": "2026-13-45"}).content.decode()
    assert "Enter a valid date" in page


def test_event_list_names_places_and_steps_and_its_pager_keeps_the_filters(
    web_a, events_of_a, monkeypatch
):
    from django.core import paginator

    monkeypatch.setattr(paginator.Paginator, "__init__", _two_per_page(paginator.Paginator))
    page = web_a.get(reverse("traceability:events"), {"eventType": "ObjectEvent"}).content.decode()
    assert "eventType=ObjectEvent&amp;page=2" in page or "page=2&amp;eventType=ObjectEvent" in page
    assert "shipped" in page or "made or collected" in page


def _two_per_page(cls):
    original = cls.__init__

    def init(self, object_list, per_page, *args, **kwargs):
        original(self, object_list, 1, *args, **kwargs)

    return init


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


@pytest.fixture
def paint_of_a(member_a):
    from oretrace.traceability.models import Lot
    from oretrace.traceability.tests import chain

    chain.facilities(member_a)
    chain.mica_chain(member_a)
    return Lot.objects.get(code=chain.PAINT)


def test_lot_page_shows_origins(web_a, paint_of_a):
    url = reverse("traceability:lot", args=[paint_of_a.pk])
    page = web_a.get(url).content.decode()
    assert "Koderma village pits" in page
    assert "55.6 %" in page  # the artisanal share
    assert "Artisanal mining" in page
    assert "MG: 27.8 %" in page


@pytest.fixture
def objects_of_a(events_of_a, paint_of_a):
    return {"event": events_of_a[0].pk, "lot": paint_of_a.pk}


PAGES = PageTenancy(
    urlpatterns,
    "traceability",
    cross_org={
        "event": [Page(["event"])],
        "lot": [Page(["lot"])],
        "lot-report": [Page(["lot"])],
    },
)
test_every_object_page_is_covered, test_other_organisation_gets_404_on_page = page_tenancy_tests(
    PAGES
)


def test_lot_list_shows_only_own_lots_and_flags(web_a, web_b, member_a, paint_of_a):
    from oretrace.traceability.tests import chain

    ours = web_a.get(reverse("traceability:lots")).content.decode()
    assert paint_of_a.code in ours
    assert paint_of_a.code not in web_b.get(reverse("traceability:lots")).content.decode()
    chain.capture(
        member_a,
        chain.transform(20, chain.MILL, [(chain.FLAKE, 10)], [("urn:x:lot:over", 50)], "sorting"),
    )
    flagged = web_a.get(reverse("traceability:lots") + "?flagged=1").content.decode()
    assert "urn:x:lot:over" in flagged
    assert paint_of_a.code not in flagged
    over = Lot.objects.get(code="urn:x:lot:over")
    page = web_a.get(reverse("traceability:lot", args=[over.pk])).content.decode()
    assert "Output above the maximum yield" in page


def test_dashboard_counts_events_and_flagged_lots(web_a, member_a):
    from oretrace.traceability.tests import chain

    chain.facilities(member_a)
    chain.capture(
        member_a,
        chain.collect(1, chain.ASM, chain.RAW_ASM, 10),
        chain.transform(2, chain.MILL, [(chain.RAW_ASM, 10)], [(chain.FLAKE, 20)], "milling"),
    )
    page = web_a.get(reverse("web:dashboard")).content.decode()
    assert "Lots with mass-balance flags" in page
    assert reverse("traceability:lots") + "?flagged=1" in page
