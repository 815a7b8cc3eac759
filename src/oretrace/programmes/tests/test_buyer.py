"""Seen from the product: a buyer tracing a lot sees the programmes working in the villages
around its origins (small cells kept back, no case), offers to fund or join one, and the
programme answers; donor reports are issued as PDF with their fingerprint in the ledger."""

from datetime import timedelta
from decimal import Decimal

import orjson
import pytest
from django.template.loader import render_to_string

from oretrace.core import services as core_services
from oretrace.core.actors import SYSTEM
from oretrace.core.models import Notification
from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.core.tests.fixtures import web_client
from oretrace.ledger.models import Leaf
from oretrace.ledger.services import facts_of
from oretrace.programmes import disclosure, report
from oretrace.programmes.exceptions import ProgrammeError
from oretrace.programmes.figures import Figures
from oretrace.programmes.models import DonorReport, SupportOffer
from oretrace.programmes.records import RECORD
from oretrace.programmes.services import reports as report_services
from oretrace.programmes.services import setup
from oretrace.programmes.tests.conftest import visit_seeing
from oretrace.registry.choices import FacilityKind
from oretrace.registry.models import Facility
from oretrace.registry.tests.factories import FacilityFactory
from oretrace.traceability.tests.factories import CustodyEdgeFactory, LotFactory

pytestmark = pytest.mark.django_db


# --- small cells ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "shown"), [(0, False), (4, False), (5, True), (12, True)])
def test_a_count_under_five_reads_less_than_five(value, shown):
    cell = disclosure.count(value)
    assert cell.shown is shown
    assert str(cell) == (str(value) if shown else "<5")


@pytest.mark.parametrize(
    ("identified", "remediated", "shown"),
    [
        (10, 5, True),  # 5 with, 5 without: both at the threshold
        (10, 6, False),  # 4 without could be worked out
        (9, 5, False),  # 4 without
        (10, 10, True),  # all of them: says nothing of a few
        (10, 4, False),  # under the threshold itself
    ],
)
def test_a_part_is_kept_back_when_the_rest_would_be_a_small_cell(identified, remediated, shown):
    cells = disclosure.publish_chains(
        {"identified": identified, "with_remediation": remediated},
        [("identified", "with_remediation")],
    )
    assert cells["identified"].shown
    assert cells["with_remediation"].shown is shown
    share = disclosure.share(cells["with_remediation"], cells["identified"])
    assert share.shown is shown


def test_public_figures_of_four_children_show_nothing():
    figures = disclosure.public_figures(Figures(4, 4, 1, 3, 2, 6, 5))
    assert str(figures.identified) == "<5"
    assert str(figures.with_remediation) == "<5"
    assert not figures.remediation_share.shown
    assert not figures.out_of_work_share.shown
    # six visits due, five on time: one late could be worked out
    assert str(figures.visits_due) == "6"
    assert str(figures.visits_on_time) == "<5"
    assert not figures.on_time_share.shown


def test_public_figures_of_enough_children_show_counts_and_shares():
    figures = disclosure.public_figures(Figures(20, 15, 10, 10, 5, 30, 25))
    assert figures.identified.value == 20
    assert figures.remediation_share.value == Decimal("75.0")
    assert figures.multiple_share.value == Decimal("50.0")
    assert figures.out_of_work_share.value == Decimal("50.0")
    assert figures.on_time_share.value == Decimal("83.3")


# --- the chain: a collector's depot linked to A's village; a buyer's lots from it ----------
@pytest.fixture
def depot(village, member_a):
    """A collection point run by a collector that shared its sites with the programme's
    organisation, linked to the village."""
    collector = OrganisationFactory.create(short_name="Koderma test collectors")
    site = FacilityFactory.create(
        organisation=collector, kind=FacilityKind.COLLECTION_POINT, name="Dhorkola test depot"
    )
    core_services.grant_access(Facility, owner=collector, to=village.organisation, actor=SYSTEM)
    setup.link_facility(village, site, actor=member_a)
    return site


@pytest.fixture
def buyer():
    return MembershipFactory.create(roles=["compliance_officer"])


@pytest.fixture
def product(buyer, depot):
    """The buyer's product lot, made of a lot collected at the depot."""
    origin = LotFactory.create(organisation=buyer.organisation, facility=depot)
    edge = CustodyEdgeFactory.create(organisation=buyer.organisation, source=origin)
    return edge.target


@pytest.mark.parametrize(("children", "shown"), [(4, "<5"), (5, "5")])
def test_the_buyer_sees_the_villages_indicators_with_small_cells_kept_back(
    buyer, product, village, member_a, child, children, shown
):
    visit_seeing(village, member_a, children, enrolment=3)
    page = web_client(buyer).get(f"/programmes/lots/{product.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert village.programme.name in text
    assert "Dhorkola" in text
    escaped = shown.replace("<", "&lt;")
    assert (
        f"Children seen working at mines or picking sites</dt><dd><strong>{escaped}</strong>"
        in text
    )
    # a percentage measured over the village is no count of children: shown as it is
    assert "enrolled in school</dt><dd><strong>3</strong>" in text
    # one child identified: a small cell, and nothing of the case
    assert "Children identified</dt><dd>&lt;5</dd>" in text
    assert child.reference not in text
    assert "Sunita" not in text
    assert "Ward 7" not in text


def test_the_lot_page_loads_the_programmes_section(buyer, product):
    page = web_client(buyer).get(f"/custody/lots/{product.pk}/").content.decode()
    assert f'hx-get="/programmes/lots/{product.pk}/"' in page
    fragment = web_client(buyer).get(f"/programmes/lots/{product.pk}/", HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content
    assert b"Alpha villages" in fragment.content


def test_a_buyer_of_another_chain_sees_nothing(product, village, programme, depot):
    # given a buyer whose lots come from elsewhere
    other = MembershipFactory.create(roles=["compliance_officer"])
    elsewhere = FacilityFactory.create(organisation=other.organisation)
    origin = LotFactory.create(organisation=other.organisation, facility=elsewhere)
    own = CustodyEdgeFactory.create(organisation=other.organisation, source=origin).target
    client = web_client(other)
    # when / then: its own trace shows no programme, the first buyer's lot does not exist
    page = client.get(f"/programmes/lots/{own.pk}/").content.decode()
    assert programme.name not in page
    assert "No community programme works" in page
    assert client.get(f"/programmes/lots/{product.pk}/").status_code == 404
    # and it cannot offer support to a programme not on its trace
    response = client.post(
        f"/programmes/lots/{own.pk}/", {"programme": str(programme.pk), "kind": "fund"}
    )
    assert response.status_code == 404
    assert not SupportOffer.objects.exists()


def test_a_depot_not_shared_cannot_be_linked(village, member_a):
    stranger = FacilityFactory.create(kind=FacilityKind.COLLECTION_POINT, name="Closed depot")
    with pytest.raises(ProgrammeError, match="has not been shared"):
        setup.link_facility(village, stranger, actor=member_a)
    assert not village.facilities.exists()


def test_an_offer_reaches_the_programme_and_its_answer_the_buyer(
    buyer, product, programme, member_a, django_capture_on_commit_callbacks
):
    # given the buyer offers to fund the programme from its lot's trace
    client = web_client(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/programmes/lots/{product.pk}/",
            {"programme": str(programme.pk), "kind": "fund", "message": "We can co-fund."},
        )
    assert response.status_code == 302
    offer = SupportOffer.objects.get()
    assert (offer.requester, offer.organisation, offer.status) == (
        buyer.organisation,
        programme.organisation,
        "open",
    )
    assert Notification.objects.filter(recipient=member_a.user, kind="support").exists()
    # the same open offer is not made twice
    again = client.post(
        f"/programmes/lots/{product.pk}/", {"programme": str(programme.pk), "kind": "fund"}
    )
    assert "already waiting" in again.content.decode()
    assert SupportOffer.objects.count() == 1
    # the programme sees it in its offers and answers
    owner = web_client(member_a)
    assert (
        "We can co-fund." not in owner.get(f"/programmes/{programme.pk}/offers/").content.decode()
    )
    assert (
        buyer.organisation.short_name
        in owner.get(f"/programmes/{programme.pk}/offers/").content.decode()
        or str(buyer.organisation)
        in owner.get(f"/programmes/{programme.pk}/offers/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        answered = owner.post(
            f"/programmes/offers/{offer.pk}/", {"decision": "accept", "answer": "Welcome."}
        )
    assert answered.status_code == 302
    offer.refresh_from_db()
    assert (offer.status, offer.answer) == ("accepted", "Welcome.")
    assert Notification.objects.filter(recipient=buyer.user, kind="decision").exists()
    # the buyer reads the answer, and cannot answer its own offer
    assert "Welcome." in client.get(f"/programmes/offers/{offer.pk}/").content.decode()
    assert (
        client.post(f"/programmes/offers/{offer.pk}/", {"decision": "decline"}).status_code == 404
    )


def test_an_offer_of_another_organisation_is_404(buyer, product, programme):
    client = web_client(buyer)
    client.post(f"/programmes/lots/{product.pk}/", {"programme": str(programme.pk), "kind": "join"})
    offer = SupportOffer.objects.get()
    stranger = web_client(MembershipFactory.create(roles=["admin"]))
    assert stranger.get(f"/programmes/offers/{offer.pk}/").status_code == 404
    assert (
        stranger.post(f"/programmes/offers/{offer.pk}/", {"decision": "accept"}).status_code == 404
    )
    offer.refresh_from_db()
    assert offer.status == "open"


# --- donor reports --------------------------------------------------------------------------------
@pytest.fixture
def period(programme, member_a, today):
    return setup.add_period(
        programme,
        actor=member_a,
        label="Year 1",
        starts_on=today - timedelta(days=365),
        ends_on=today,
    )


def test_the_donor_report_names_cases_by_reference_only(programme, child, period, today):
    context = report.report_context(
        programme,
        label=period.label,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        issued_at=child.created_at,
        language="en",
    )
    html = render_to_string("programmes/donor_report.html", context)
    assert child.reference in html
    for secret in ("Sunita", "2013-04-02", "Ward 7"):
        assert secret not in html


def test_issuing_a_report_commits_its_fingerprint_and_no_personal_data(
    web_a, programme, child, period, member_a
):
    # when the programme issues the report for the period
    response = web_a.post(f"/programmes/{programme.pk}/reports/", {"period": str(period.pk)})
    # then the PDF is kept as issued, and its SHA-256 is in the transparency log
    assert response.status_code == 302
    issued = DonorReport.objects.get()
    download = web_a.get(f"/programmes/reports/{issued.pk}/")
    assert download.content.startswith(b"%PDF-")
    import hashlib

    assert hashlib.sha256(download.content).hexdigest() == issued.sha256
    leaf = Leaf.objects.get(record_type=RECORD, record_id=str(issued.pk))
    facts = facts_of(leaf)
    assert facts == {
        "programme": programme.pk,
        "period": "Year 1",
        "starts_on": period.starts_on.isoformat(),
        "ends_on": period.ends_on.isoformat(),
        "issued_on": issued.created_at.date().isoformat(),
        "sha256": issued.sha256,
    }
    # nothing personal: no child, no person who issued it
    dumped = orjson.dumps(facts).decode()
    for secret in ("Sunita", "2013-04-02", "Ward 7", member_a.user.email, child.reference):
        assert secret not in dumped
    page = web_a.get(f"/programmes/{programme.pk}/reports/").content.decode()
    assert issued.sha256 in page


def test_a_donor_downloads_the_report_but_cannot_issue_one(
    programme, child, period, member_a, donor_b
):
    report_services.issue_report(
        programme,
        actor=member_a,
        label=period.label,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
    )
    issued = DonorReport.objects.get()
    donor = web_client(MembershipFactory.create(organisation=donor_b, roles=["compliance_officer"]))
    assert donor.get(f"/programmes/reports/{issued.pk}/").content.startswith(b"%PDF-")
    assert (
        donor.post(f"/programmes/{programme.pk}/reports/", {"period": str(period.pk)}).status_code
        == 404
    )
    assert DonorReport.objects.count() == 1
    stranger = web_client(MembershipFactory.create(roles=["admin"]))
    assert stranger.get(f"/programmes/reports/{issued.pk}/").status_code == 404


def test_a_report_period_must_not_end_before_it_starts(programme, member_a, today):
    with pytest.raises(ProgrammeError, match="cannot end before it starts"):
        report_services.issue_report(
            programme, actor=member_a, label="Bad", starts_on=today, ends_on=today - timedelta(1)
        )
