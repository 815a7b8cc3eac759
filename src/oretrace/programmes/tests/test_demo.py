"""The demo: the Mica Workplace Initiative's programme around Koderma Collectors' depots."""

import pytest

from oretrace.core.tests.fixtures import web_client
from oretrace.programmes.demo import NAME
from oretrace.programmes.models import ChildCase, MonitoringVisit, Programme
from oretrace.programmes.queries import figure_rows

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_programme_with_villages_visits_and_cases(demo):
    programme = Programme.objects.get(name=NAME)
    assert programme.organisation.slug == "mica-initiative"
    villages = {v.name: v for v in programme.villages.all()}
    assert set(villages) == {"Dhorkola", "Domchanch", "Tisri"}
    linked = {f.name_latin for f in villages["Dhorkola"].facilities.all()}
    assert linked == {"Dhorkola Mica Collection Centre"}
    owner = villages["Dhorkola"].facilities.get().organisation
    assert owner is not None
    assert owner.slug == "koderma-collectors"
    assert MonitoringVisit.objects.filter(village__programme=programme).count() == 9
    states = set(ChildCase.objects.filter(programme=programme).values_list("status", flat=True))
    assert states == {"assessed", "case_plan", "closed", "follow_up", "identified"}
    whole = figure_rows(programme)[0].figures
    assert (whole.identified, whole.with_remediation, whole.multiple_types) == (15, 10, 5)
    assert (whole.followed_up, whole.out_of_work) == (10, 5)


def test_the_initiative_links_koderma_depots_it_was_shared(demo):
    """Koderma Collectors shared its sites with the initiative (a registry grant): its depots
    are the initiative's to pick on a village's page."""
    from oretrace.core.models import Grant, Membership
    from oretrace.programmes.views.programmes import _nearby

    initiative = Programme.objects.get(name=NAME).organisation
    assert Grant.objects.filter(
        owner__slug="koderma-collectors", grantee=initiative, revoked_at__isnull=True
    ).exists()
    member = Membership.objects.filter(organisation=initiative).first()
    assert member is not None
    village = Programme.objects.get(name=NAME).villages.get(name="Dhorkola")
    assert "Chandwara Village Depot" in {name for _pk, name in _nearby(member, village)}


def test_aurelias_car_batch_traces_to_the_villages_and_shows_the_indicators(demo):

    from oretrace.core.models import Membership
    from oretrace.traceability.models import Lot

    buyer = Membership.objects.get(
        user__email="compliance@aurelia.example", organisation__slug="aurelia-motors"
    )
    batch = Lot.objects.get(organisation=buyer.organisation, code__endswith="AUR-CARS-2606")
    client = web_client(buyer)
    page = client.get(f"/programmes/lots/{batch.pk}/").content.decode()
    assert NAME in page
    for village in ("Dhorkola", "Domchanch", "Tisri"):
        assert village in page
    assert "Children identified</dt><dd>15</dd>" in page
    assert "With at least one remediation</dt><dd>10 (66.7 %)</dd>" in page
    # the latest visit in Dhorkola found 4 children at the sites: kept back
    assert "Children seen working at mines or picking sites</dt><dd><strong>&lt;5</strong>" in page
    assert "Demo child" not in page
    assert "CL-" not in page


def test_the_demo_issued_a_donor_report_and_aurelia_offered_to_fund(demo):
    from oretrace.ledger.models import Leaf
    from oretrace.programmes.models import DonorReport, SupportOffer
    from oretrace.programmes.records import RECORD

    programme = Programme.objects.get(name=NAME)
    report = DonorReport.objects.get(programme=programme)
    assert report.period_label == "Year 1"
    assert Leaf.objects.filter(record_type=RECORD, record_id=str(report.pk)).exists()
    offer = SupportOffer.objects.get(programme=programme)
    assert (offer.requester.slug, offer.kind, offer.status) == ("aurelia-motors", "fund", "open")
