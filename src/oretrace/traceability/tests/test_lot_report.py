"""A lot's chain of custody and origins for a customer: the page, its PDF, its proof links."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from oretrace.ledger import keys
from oretrace.traceability import queries, views
from oretrace.traceability.models import EpcisEvent, Lot
from oretrace.traceability.records import EVENT_RECORD
from oretrace.traceability.tests import chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def paint(member_a):
    chain.facilities(member_a, located=True)
    chain.mica_chain(member_a)
    return Lot.objects.get(code=chain.PAINT)


def _report(client, lot, **params):
    return client.get(reverse("traceability:lot-report", args=[lot.pk]), params)


def test_the_report_lists_the_origins_and_every_event_of_the_chain(web_a, paint):
    page = _report(web_a, paint).content.decode()
    # origins by country and kind, and each origin lot's facility
    assert "Koderma village pits" in page
    assert "IN</strong>" in page
    # every custody event of the upstream chain, each with its public verification link
    events, more = queries.chain_events(paint, limit=100)
    assert more == 0
    assert len(events) >= 4
    links = re.findall(r'<a class="wrap" href="([^"]+)">', page)
    assert len(links) == len(events)
    for event, link in zip(events, links, strict=True):
        token = keys.link_token(EVENT_RECORD, str(event.pk))
        assert unescape(link).endswith(f"/verify/r/{EVENT_RECORD}/{event.pk}/{token}/")
    assert page.count('class="qr" src="data:image/svg+xml') == len(events)
    # places read as the registry's facilities, not location URNs, where the registry knows them
    assert "urn:epc:id:sgln" not in page.split("report-events")[1]


def test_the_public_link_of_each_event_opens_its_verified_record(web_a, paint, client):
    page = _report(web_a, paint).content.decode()
    link = unescape(re.findall(r'<a class="wrap" href="([^"]+)">', page)[0])
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    public = client.get(path)  # no account
    assert public.status_code == 200


def test_a_long_chain_lists_the_newest_events_and_says_how_many_more(web_a, paint, monkeypatch):
    monkeypatch.setattr(views, "REPORT_EVENTS", 2)
    events, more = queries.chain_events(paint, limit=2)
    assert len(events) == 2
    assert more == EpcisEvent.objects.count() - 2 or more > 0
    assert events[0].event_time <= events[1].event_time
    page = _report(web_a, paint).content.decode()
    assert f"{more} earlier events are not listed" in page


def test_the_pdf_is_a_pdf_with_nothing_fetched(web_a, paint):
    response = _report(web_a, paint, format="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert 'filename="chain-of-custody-' in response["Content-Disposition"]


def test_the_report_in_french(web_a, paint):
    page = web_a.get(
        reverse("traceability:lot-report", args=[paint.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Chaîne de traçabilité et origines" in page


def test_another_organisations_member_cannot_see_the_report(web_b, paint):
    assert _report(web_b, paint).status_code == 404
    assert _report(web_b, paint, format="pdf").status_code == 404


def test_the_lot_page_links_to_its_report(web_a, paint):
    page = web_a.get(reverse("traceability:lot", args=[paint.pk])).content.decode()
    assert reverse("traceability:lot-report", args=[paint.pk]) in page


def test_the_pdf_renderer_refuses_every_url_but_inline_images():
    from weasyprint.urls import FatalURLFetchingError

    from oretrace.core.pdf import html_to_pdf

    for url in ("file:///etc/passwd", "http://127.0.0.1:9/x.png"):
        with pytest.raises(FatalURLFetchingError):
            html_to_pdf(f'<img src="{url}">')
    qr = views._verification(EpcisEvent(pk=1))[1]
    assert html_to_pdf(f'<img src="{qr}">').startswith(b"%PDF-")
