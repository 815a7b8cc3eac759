"""The demo's custody history: villages to cars, one over-yield flag, origins traced."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from oretrace.core.demo import build_demo
from oretrace.core.models import Membership
from oretrace.ledger.models import Leaf
from oretrace.traceability import codes, trace
from oretrace.traceability import demo as custody_demo
from oretrace.traceability.choices import FlagKind
from oretrace.traceability.models import CustodyFlag, EpcisEvent, Lot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger_keys():
    """The settings' own ledger key and origin, with which the module's demo signed its
    checkpoints (the conftest's fresh key for each test would not match them)."""


@pytest.fixture
def cars(demo):
    return Lot.objects.get(code__endswith=":" + custody_demo.FINAL_LOT)


def test_the_car_batch_traces_back_to_the_villages(cars):
    found = trace.upstream(cars)
    assert sum(s.fraction for s in found.shares) == pytest.approx(1.0)
    origins = {codes.lot_number(s.code): s for s in found.shares}
    assert set(origins) == {
        "DHK-0302",
        "CHW-0303",
        "TSR-0305",
        "DMC-0306",
        "JNG-0307",
        "GIR-SCRAP-0310",
    }
    assert all(s.country == "IN" for s in found.shares)
    assert origins["GIR-SCRAP-0310"].recycled
    assert origins["TSR-0305"].facility_kind == "asm_site"
    # the one deliberate mass-balance violation
    flag = CustodyFlag.objects.get()
    assert flag.kind == FlagKind.OVER_YIELD
    assert codes.lot_number(flag.lot.code) == "GIR-S-0314"
    assert "Giridih Mica Processing" in flag.message
    assert "520 kg out of 450 kg in" in flag.message


def test_every_event_is_in_the_ledger_and_the_demo_is_idempotent(cars):
    events = EpcisEvent.objects.filter(organisation=cars.organisation).count()
    assert events >= 20
    build_demo()
    assert EpcisEvent.objects.filter(organisation=cars.organisation).count() == events
    assert Leaf.objects.filter(record_type="traceability.epcisevent").count() == events
    # the whole demo passes the ledger's tamper audit
    from oretrace.ledger.audit import run_audit

    assert run_audit().problems == []

    # the programme's compliance officer sees the lot page, another organisation does not
    url = reverse("traceability:lot", args=[cars.pk])
    compliance = Client()
    compliance.force_login(
        Membership.objects.get(
            user__email="compliance@aurelia.example", organisation__slug="aurelia-motors"
        ).user
    )
    page = compliance.get(url).content.decode()
    assert "जयनगर ग्राम डिपो" in page
    assert "240 pieces" in page  # counted in pieces: fractions of origins, no masses
    assert all(s.kg is None for s in trace.upstream(cars).shares)
    outsider = Client()
    outsider.force_login(Membership.objects.get(user__email="compliance@rhein.example").user)
    assert outsider.get(url).status_code == 404
