"""Each red-flag rule on plain rows (the pure package, no database): raised with its evidence
and subject when its condition holds, not raised when it does not."""

from __future__ import annotations

from oretrace.risk import flags

AREAS = flags.AreaList(
    7,
    "CAHRA test edition",
    (
        flags.Area("CD", "CD-NK", "Nord-Kivu", True, False),
        flags.Area("CD", "CD-SK", "Sud-Kivu", True, True),
        flags.Area("ER", "", "Eritrea", False, True),
    ),
)
GOODS = flags.GoodList(
    9,
    "DOL test edition",
    (
        flags.ListedGood("Mica", "IN", True, False),
        flags.ListedGood("Coltan (tantalum ore)", "CD", True, True),
        flags.ListedGood("Gold", "PE", False, False),
    ),
)
NAMES = {"CD": "Congo, DR", "ER": "Eritrea", "IN": "India", "PE": "Peru", "ID": "Indonesia"}


def _inputs(**rows) -> flags.Inputs:
    return flags.Inputs(areas=AREAS, goods=GOODS, country_names=NAMES, **rows)


def _smelter(
    *, country="ID", region="", status="Conformant", mines=(), facility_id=11
) -> flags.DeclaredSmelter:
    return flags.DeclaredSmelter(
        flags.Evidence("smelter-entry", 101, "cmrt.xlsx, Smelter List row 5: Test Smelter"),
        supplier_id=3,
        metal="tin",
        facility_id=facility_id,
        facility_name="Test Smelter",
        country=country,
        region=region,
        status=status,
        mine_countries=tuple(mines),
    )


def _lot(*, lot_id=21, country="IN", region="", origin=True, recycled=False, minerals=("mica",)):
    return flags.TracedLot(
        flags.Evidence("lot", lot_id, f"LOT-{lot_id}"),
        facility_id=31,
        facility_name="Depot",
        country=country,
        region=region,
        minerals=minerals,
        origin=origin,
        recycled=recycled,
    )


def _rules(inputs: flags.Inputs) -> list[str]:
    return [f.rule for f in flags.evaluate(inputs)]


def test_every_rule_has_its_texts_reference_and_severity():
    assert set(flags.RULES) == {
        "cahra-origin",
        "cahra-transit",
        "supplier-cahra-sourcing",
        "smelter-not-conformant",
        "smelter-not-audited",
        "listed-good-origin",
        "assessment-annex-ii-gap",
        "custody-anomaly",
        "audit-action-overdue",
        "grievance-linked",
    }
    for code, rule in flags.RULES.items():
        assert rule.code == code
        assert rule.title
        assert rule.explanation
        assert "%(evidence)s" in rule.detail
        assert "OECD" in rule.guidance
        assert rule.severity in ("high", "medium", "low")


def test_cahra_origin_from_a_declared_mine_country_with_its_edition():
    inputs = _inputs(smelters=[_smelter(mines=("CD",))])
    [finding] = [f for f in flags.evaluate(inputs) if f.rule == "cahra-origin"]
    assert finding.evidence.kind == "smelter-entry"
    assert finding.evidence.id == 101
    assert (finding.facility_id, finding.supplier_id, finding.country) == (11, 3, "CD")
    assert finding.edition_id == 7
    assert finding.severity == "high"
    # the country has listed regions and the row names none: it cannot be ruled out
    assert finding.params["status"] == "some regions listed, region not known"


def test_cahra_origin_from_a_mine_list_row_and_a_traced_origin_lot():
    mine = flags.DeclaredMine(
        flags.Evidence("mine-entry", 5, "emrt.xlsx, Mine List row 9: Kivu mine", part="row 9"),
        supplier_id=4,
        metal="tantalum",
        name="Kivu mine",
        country="ER",
    )
    lot = _lot(country="CD", region="CD-SK")
    findings = [
        f for f in flags.evaluate(_inputs(mines=[mine], lots=[lot])) if f.rule == "cahra-origin"
    ]
    assert {(f.evidence.kind, f.evidence.id) for f in findings} == {("mine-entry", 5), ("lot", 21)}
    traced = next(f for f in findings if f.evidence.kind == "lot")
    assert (traced.lot_id, traced.facility_id, traced.region) == (21, 31, "CD-SK")
    assert traced.params["status"] == "conflict-affected and high-risk"


def test_no_cahra_origin_outside_the_list_for_recycled_material_or_without_a_list():
    assert "cahra-origin" not in _rules(_inputs(smelters=[_smelter(mines=("IN", "PE"))]))
    assert "cahra-origin" not in _rules(_inputs(lots=[_lot(country="CD", recycled=True)]))
    # a region of a listed country that is not itself listed
    assert "cahra-origin" not in _rules(_inputs(lots=[_lot(country="CD", region="CD-KN")]))
    no_list = flags.Inputs(smelters=[_smelter(mines=("CD",))], country_names=NAMES)
    assert flags.evaluate(no_list) == []


def test_cahra_transit_for_a_smelter_located_in_a_listed_area_or_a_lot_past_its_origin():
    smelter = _smelter(country="CD", region="CD-NK")
    lot = _lot(lot_id=22, country="ER", origin=False)
    findings = [
        f
        for f in flags.evaluate(_inputs(smelters=[smelter], lots=[lot]))
        if f.rule == "cahra-transit"
    ]
    assert {f.evidence.id for f in findings} == {101, 22}
    assert all(f.edition_id == 7 for f in findings)
    assert "cahra-transit" not in _rules(_inputs(smelters=[_smelter(country="ID")]))
    assert "cahra-transit" not in _rules(_inputs(lots=[_lot(country="ER", origin=True)]))


def test_supplier_cahra_sourcing_on_any_answer_but_no():
    def answer(text: str) -> flags.DeclaredAnswer:
        return flags.DeclaredAnswer(
            flags.Evidence("declaration", 8, "cmrt.xlsx"), 3, "3", "covered", "tin", text
        )

    [finding] = flags.evaluate(_inputs(answers=[answer("DRC or adjoining countries only")]))
    assert (finding.rule, finding.supplier_id, finding.evidence.id) == (
        "supplier-cahra-sourcing",
        3,
        8,
    )
    assert finding.params["question"] == "3"
    assert finding.params["mineral"] == "tin"
    for no in ("No", "no", "Unknown", "", "Not applicable for this declaration"):
        assert flags.evaluate(_inputs(answers=[answer(no)])) == []


def test_smelter_not_conformant_and_not_audited_by_status():
    [failed] = flags.evaluate(_inputs(smelters=[_smelter(status="Non Conformant")]))
    assert failed.rule == "smelter-not-conformant"
    assert failed.severity == "high"
    assert failed.params["status"] == "Non Conformant"
    assert failed.facility_id == 11
    for status in ("Suspended", "Communication Suspended - Not Interested"):
        assert _rules(_inputs(smelters=[_smelter(status=status)])) == ["smelter-not-conformant"]
    for status in ("Active", "In communication", ""):
        [pending] = flags.evaluate(_inputs(smelters=[_smelter(status=status)]))
        assert pending.rule == "smelter-not-audited"
        assert pending.severity == "medium"
    [none] = flags.evaluate(_inputs(smelters=[_smelter(status="")]))
    assert none.params["status"] == "no assurance status"
    for status in ("Conformant", "Cross-recognized", "cross recognised"):
        assert flags.evaluate(_inputs(smelters=[_smelter(status=status)])) == []
    # a row the registry could not match is the review queue's matter, not a status flag
    assert flags.evaluate(_inputs(smelters=[_smelter(status="", facility_id=None)])) == []


def test_listed_good_origin_for_a_traced_origin_and_a_declared_mine():
    mine = flags.DeclaredMine(
        flags.Evidence("mine-entry", 6, "emrt.xlsx", part="row 3"), 4, "tantalum", "M", "CD"
    )
    findings = [
        f
        for f in flags.evaluate(_inputs(lots=[_lot()], mines=[mine]))
        if f.rule == "listed-good-origin"
    ]
    assert {(f.evidence.kind, f.country) for f in findings} == {("lot", "IN"), ("mine-entry", "CD")}
    assert all(f.edition_id == 9 for f in findings)
    coltan = next(f for f in findings if f.country == "CD")
    assert coltan.params["good"] == "Coltan (tantalum ore)"
    assert coltan.params["labour"] == "child labour and forced labour"


def test_no_listed_good_origin_for_other_minerals_unlisted_goods_or_past_the_origin():
    assert "listed-good-origin" not in _rules(_inputs(lots=[_lot(minerals=("cobalt",))]))
    assert "listed-good-origin" not in _rules(
        _inputs(lots=[_lot(country="PE", minerals=("gold",))])
    )
    assert "listed-good-origin" not in _rules(_inputs(lots=[_lot(origin=False)]))
    assert "listed-good-origin" not in _rules(_inputs(lots=[_lot(recycled=True)]))
    assert (
        flags.evaluate(flags.Inputs(lots=[_lot()], country_names=NAMES)) == []
    )  # no List of Goods


def test_assessment_gap_on_an_annex_ii_criterion():
    def gap(outcome: str, annex=(3,), critical=False) -> flags.AssessmentGap:
        return flags.AssessmentGap(
            flags.Evidence("assessment", 12, "std 1.0"), 31, "LAB.1", outcome, critical, annex
        )

    [finding] = flags.evaluate(_inputs(gaps=[gap("not_met")]))
    assert (finding.rule, finding.facility_id, finding.severity) == (
        "assessment-annex-ii-gap",
        31,
        "high",
    )
    assert finding.params["risks"] == "3"
    [partly] = flags.evaluate(_inputs(gaps=[gap("partly")]))
    assert partly.severity == "medium"
    [critical] = flags.evaluate(_inputs(gaps=[gap("partly", critical=True)]))
    assert critical.severity == "high"
    assert flags.evaluate(_inputs(gaps=[gap("not_met", annex=())])) == []  # no Annex II risk
    assert flags.evaluate(_inputs(gaps=[gap("met")])) == []


def test_custody_anomaly_on_each_mass_balance_flag():
    anomaly = flags.CustodyAnomaly(
        flags.Evidence("custody-flag", 41, "LOT-9"), 9, 31, "Unit 1", "over_yield"
    )
    [finding] = flags.evaluate(_inputs(anomalies=[anomaly]))
    assert (finding.rule, finding.lot_id, finding.facility_id) == ("custody-anomaly", 9, 31)
    assert finding.params["anomaly"] == "over_yield"
    assert flags.evaluate(_inputs(anomalies=[])) == []


def test_audit_action_overdue_once_per_finding_graver_for_a_major():
    def late(grade: str, due: str, finding: int = 51) -> flags.OverdueAction:
        evidence = flags.Evidence("audit-finding", finding, "Audit A-5, finding LAB.3", page=5)
        return flags.OverdueAction(evidence, 31, "LAB.3", grade, due)

    [finding] = flags.evaluate(
        _inputs(overdue_actions=[late("major", "2026-04-02"), late("major", "2026-04-01")])
    )
    assert (finding.rule, finding.facility_id, finding.severity) == (
        "audit-action-overdue",
        31,
        "high",
    )
    assert finding.params["due"] == "2026-04-01"  # the earliest, named once
    assert finding.params["page"] == "5"
    [minor] = flags.evaluate(_inputs(overdue_actions=[late("minor", "2026-04-01")]))
    assert minor.severity == "medium"
    assert (
        len(
            flags.evaluate(
                _inputs(
                    overdue_actions=[late("minor", "2026-04-01", 52), late("major", "2026-04-01")]
                )
            )
        )
        == 2
    )
    assert flags.evaluate(_inputs(overdue_actions=[])) == []


def test_keys_are_stable_and_distinct():
    inputs = _inputs(smelters=[_smelter(mines=("CD", "ER"), status="Active")], lots=[_lot()])
    first, second = flags.evaluate(inputs), flags.evaluate(inputs)
    assert [f.key for f in first] == [f.key for f in second]
    assert len({f.key for f in first}) == len(first) == 4


def test_a_linked_grievance_flags_its_subject_with_its_category_and_severity_only():
    # given: a high and a low case linked by an officer of the organisation
    def linked(token: str, severity: str) -> flags.LinkedGrievance:
        return flags.LinkedGrievance(
            flags.Evidence("grievance", None, "Grievance", part=token),
            facility_id=31,
            supplier_id=None,
            lot_id=None,
            category="child_labour",
            severity=severity,
            share_with=(7,),
        )

    # when
    found = flags.evaluate(flags.Inputs(grievances=[linked("aa", "critical"), linked("bb", "low")]))
    # then: one flag each, keyed by the link's token, high then medium, shared with 7
    assert [(f.rule, f.severity, f.key) for f in found] == [
        ("grievance-linked", "high", "grievance-linked|grievance:None#aa"),
        ("grievance-linked", "medium", "grievance-linked|grievance:None#bb"),
    ]
    assert found[0].params == {
        "evidence": "Grievance",
        "grievance_category": "child_labour",
        "grievance_severity": "critical",
    }
    assert found[0].share_with == (7,)
    assert found[0].facility_id == 31
