"""The demo chains raise the red flags the OECD Guidance would, each with its evidence, and no
other: a test per rule the demo holds a case of (the rules the demo has no case of are shown
on focused rows in test_flag_rules.py and test_flag_services.py)."""

from __future__ import annotations

import pytest

from oretrace.core.demo import build_demo
from oretrace.risk.models import Edition, RedFlag

pytestmark = pytest.mark.django_db


def _flags(slug, rule):
    return list(
        RedFlag.objects.filter(organisation__slug=slug, rule=rule)
        .select_related("facility", "supplier", "lot", "edition")
        .order_by("pk")
    )


def test_the_demo_raises_these_flags_and_no_other(demo):
    raised = sorted(
        (f.organisation.slug, f.rule) for f in RedFlag.objects.select_related("organisation")
    )
    assert raised == sorted(
        [
            ("brightline", "cahra-origin"),
            ("brightline", "supplier-cahra-sourcing"),
            ("brightline", "smelter-not-conformant"),
            ("brightline", "smelter-not-audited"),
            ("brightline", "smelter-not-audited"),
            *[("aurelia-motors", "listed-good-origin")] * 5,
            ("aurelia-motors", "custody-anomaly"),
            ("mica-initiative", "assessment-annex-ii-gap"),
            # the demo's follow-up audit has a corrective action past its due date
            ("mica-initiative", "audit-action-overdue"),
            # the grievance demo's case heard about the Giridih unit is linked to it
            ("mica-initiative", "grievance-linked"),
        ]
    )
    assert not RedFlag.objects.filter(closed_at__isnull=False).exists()


def test_cahra_origin_kestrel_declares_drc_mines_for_a_tantalum_refinery(demo):
    [flag] = _flags("brightline", "cahra-origin")
    assert flag.supplier.name == "Kestrel Capacitor Works Ltd."
    assert flag.facility.name == "Rio Claro Tantalum Refinery"
    assert flag.evidence_kind == "smelter-entry"
    assert flag.evidence_label.startswith("Kestrel_Capacitors_CMRT.xlsx, Smelter List row")
    assert flag.country_id == "CD"
    # the demo's newest list of areas, in force today, raised it
    newest = Edition.objects.filter(kind="cahra").order_by("-edition_date").first()
    assert flag.edition == newest


def test_supplier_cahra_sourcing_kestrel_answers_yes_for_tantalum(demo):
    [flag] = _flags("brightline", "supplier-cahra-sourcing")
    assert flag.supplier.name == "Kestrel Capacitor Works Ltd."
    assert flag.evidence_kind == "declaration"
    assert flag.params["question"] == "3"
    assert flag.params["mineral"] == "tantalum"
    assert flag.params["answer"] == "Yes"
    assert flag.edition is None


def test_smelter_not_conformant_andes_gold_as_pearl_river_declares_it(demo):
    [flag] = _flags("brightline", "smelter-not-conformant")
    assert flag.facility.name == "Andes Gold Refinery S.A."
    assert flag.supplier.name == "Pearl River Precision Components Co., Ltd."
    assert flag.params["status"] == "Non-conformant"
    assert flag.severity == "high"


def test_smelter_not_audited_rio_claro_is_only_active_for_both_suppliers(demo):
    flags = _flags("brightline", "smelter-not-audited")
    assert {f.facility.name for f in flags} == {"Rio Claro Tantalum Refinery"}
    assert {f.supplier.name for f in flags} == {
        "Kestrel Capacitor Works Ltd.",
        "Pearl River Precision Components Co., Ltd.",
    }
    assert {f.params["status"] for f in flags} == {"Active"}


def test_listed_good_origin_each_mica_collection_in_india_but_not_the_scrap(demo):
    flags = _flags("aurelia-motors", "listed-good-origin")
    numbers = sorted(f.lot.code.rsplit(":", 1)[-1] for f in flags)
    assert numbers == ["CHW-0303", "DHK-0302", "DMC-0306", "JNG-0307", "TSR-0305"]
    assert {f.country_id for f in flags} == {"IN"}
    assert {f.edition.kind for f in flags} == {"dol-goods"}
    assert all(f.facility is not None and f.facility.country_id == "IN" for f in flags)


def test_custody_anomaly_the_over_yield_at_giridih(demo):
    [flag] = _flags("aurelia-motors", "custody-anomaly")
    assert flag.lot.code.endswith("GIR-S-0314")
    assert flag.params["anomaly"] == "over_yield"
    assert flag.evidence_kind == "custody-flag"


def test_assessment_gap_the_initiative_sees_the_unit_partly_meeting_an_annex_ii_criterion(demo):
    [flag] = _flags("mica-initiative", "assessment-annex-ii-gap")
    assert flag.facility.name == "Giridih Mica Processing — Unit 1"
    assert flag.evidence_kind == "assessment"
    assert flag.params["outcome"] == "partly"
    assert flag.severity == "medium"


def test_a_second_demo_run_changes_no_flag(demo):
    before = list(RedFlag.objects.values_list("pk", "closed_at"))
    build_demo()
    assert list(RedFlag.objects.values_list("pk", "closed_at")) == before


def test_a_declaration_page_shows_its_supplier_s_open_flags(demo):
    from oretrace.core.models import Membership
    from oretrace.core.tests.fixtures import web_client
    from oretrace.declarations.models import Declaration

    officer = Membership.objects.get(
        organisation__slug="brightline", user__email="compliance@brightline.example"
    )
    kestrel = Declaration.objects.get(filename="Kestrel_Capacitors_CMRT.xlsx")
    page = web_client(officer).get(f"/declarations/{kestrel.pk}/").content.decode()
    assert "Open red flags of this supplier" in page
    for flag in RedFlag.objects.filter(supplier=kestrel.supplier):
        assert f"/risk/flags/{flag.pk}/" in page
