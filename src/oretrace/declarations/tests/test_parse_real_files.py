"""Every RMI file in ../shared/data/rmi-templates is read with the right values or refused."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from oretrace.declarations.rmi import TemplateError, parse_template
from oretrace.declarations.rmi.maps import company_cells, map_for

CENTRAL_GLASS = "filled/RMI_CMRT_6.4_20240426_CG20240510_基佳giga.xlsx"
SK = "filled/RMI_CMRT_6.4_20240509(WF6)_SK.xlsx"
HONEYWELL = "filled/RMI_CMRT_6.4_HEM_Honeywell_r1 (4) 更新版本.xlsx"
JX = "filled/RMI_CMRT_6.4_JX Advanced Metals Corporation.xlsx"
ANONYMISED = "filled/RMI_CMRT_6.4_PKG_DE00 20240710.xlsx"
MERCK = "filled/RMI_WF6_CMRT_6.4_Apr2024_Merck.xlsx"

BLANKS = {
    "RMI_CMRT_6.01.xlsx": ("CMRT", "6.01"),
    "RMI_CMRT_6.1.xlsx": ("CMRT", "6.1"),
    "RMI_CMRT_6.22.xlsx": ("CMRT", "6.22"),
    "RMI_CMRT_6.31.xlsx": ("CMRT", "6.31"),
    "RMI_CMRT_6.4.xlsx": ("CMRT", "6.4"),
    "RMI_CMRT_6.5.xlsx": ("CMRT", "6.5"),
    "RMI_EMRT_1.1.xlsx": ("EMRT", "1.1"),
    "RMI_EMRT_1.11.xlsx": ("EMRT", "1.11"),
    "RMI_EMRT_1.2.xlsx": ("EMRT", "1.2"),
    "RMI_EMRT_1.3.xlsx": ("EMRT", "1.3"),
    "RMI_EMRT_2.0.xlsx": ("EMRT", "2.0"),
    "RMI_EMRT_2.1.xlsx": ("EMRT", "2.1"),
    "RMI_AMRT_1.2.xlsx": ("AMRT", "1.2"),
    "RMI_AMRT_1.3.xlsx": ("AMRT", "1.3"),
    "RMI_CRT_2.2.xlsx": ("CRT", "2.2"),
    "RMI_CRT_2.21.xlsx": ("CRT", "2.21"),
}


def codes(issues) -> Counter[str]:
    return Counter(issue.code for issue in issues)


@pytest.mark.parametrize(("name", "expected"), BLANKS.items())
def test_blank_templates_are_detected_and_read_by_address(parse_file, name, expected):
    # when
    declaration = parse_file(f"blank/{name}")
    # then: the family and version come from the workbook; labels read back in Chinese but the
    # declaration's fields stay empty, and the Checker reports the empty mandatory fields
    assert (declaration.family, declaration.version) == expected
    assert declaration.language == "中文 Chinese"
    assert declaration.company.name == ""
    family, version = expected
    cells = company_cells(map_for(family, version, name)[0])
    expected_cells = {cells["name"], cells["contact_name"], cells["authorizer_email"]}
    assert expected_cells <= {i.cell for i in declaration.errors if i.code == "missing-field"}


def test_blank_selections_per_family(parse_file):
    emrt = parse_file("blank/RMI_EMRT_2.1.xlsx")
    assert emrt.minerals == ("cobalt", "copper", "graphite", "lithium", "mica", "nickel")
    assert parse_file("blank/RMI_EMRT_1.3.xlsx").minerals == ("cobalt", "mica")
    assert parse_file("blank/RMI_CRT_2.2.xlsx").minerals == ("cobalt",)
    # AMRT 1.2 takes free text; this blank was saved with Chinese names typed in, one of
    # them (chromium) a mineral oretrace has no code for: it is kept as written
    amrt = parse_file("blank/RMI_AMRT_1.2.xlsx")
    assert amrt.minerals == ("aluminium", "copper", "lithium", "nickel", "silver", "zinc")
    assert amrt.other_minerals == ("铬",)
    assert parse_file("blank/RMI_AMRT_1.3.xlsx").minerals == ()


def test_crt_221_calls_itself_22_and_the_file_name_refines_it(parse_file):
    declaration = parse_file("blank/RMI_CRT_2.21.xlsx")
    assert declaration.version == "2.21"
    assert "version-from-filename" in codes(declaration.warnings)


def test_english_blank_and_its_stray_row(parse_file):
    english = parse_file("blank/english/RMI_CMRT_6.4.xlsx")
    assert english.language == "English"
    assert english.smelters == ()
    chinese = parse_file("blank/RMI_CMRT_6.4.xlsx")
    (stray,) = chinese.smelters
    assert (stray.metal, stray.lookup_name) == ("tin", "Alpha Metals")
    assert "metal-not-declared" in codes(chinese.warnings)


def test_central_glass_scope_a_tungsten_only(parse_file):
    declaration = parse_file(CENTRAL_GLASS)
    company = declaration.company
    assert company.name == "Central Glass Co., Ltd."
    assert (company.scope, company.scope_text) == ("A", "A. Company")
    assert company.effective_date == date(2024, 5, 10)
    assert company.authorizer_title == "General Manager Purchasing Department"
    assert [declaration.answer("1", m) for m in ("tantalum", "tin", "gold", "tungsten")] == [
        "No",
        "No",
        "No",
        "Yes",
    ]
    assert declaration.answer("6", "tungsten") == "100%"
    assert declaration.comment("B") == "https://www.cgco.co.jp/csr/report"
    assert declaration.answer("E") == "Yes, in conformance with IPC1755 (e.g., CMRT)"
    assert [s.smelter_id for s in declaration.smelters] == [
        "CID002494",
        "CID002551",
        "CID002513",
        "CID002082",
    ]
    first = declaration.smelters[0]
    assert (first.row, first.metal, first.country, first.id_source) == (5, "tungsten", "CN", "RMI")
    assert first.street == ""  # the formula's 0 is no street
    assert first.mine_names == "Ganzhou Grand Metals Minerals Industry Co.,Ltd."
    assert first.recycled_scrap == "No"
    assert declaration.errors == []


def test_sk_scope_b_without_a_product_number(parse_file):
    declaration = parse_file(SK)
    assert declaration.company.name == "SK specialty Co., Ltd"
    assert declaration.company.scope == "B"
    assert (declaration.company.unique_id, declaration.company.unique_id_authority) == (
        "459-88-02246",
        "NTS",
    )
    assert declaration.company.effective_date == date(2024, 5, 9)
    assert Counter(s.metal for s in declaration.smelters) == {"tungsten": 2}
    # the product is named (WF6) but has no responder's product number, which the
    # template's Checker requires for scope B
    assert [(p.number, p.name) for p in declaration.products] == [("", "WF6")]
    assert [(i.code, i.sheet, i.cell) for i in declaration.errors] == [
        ("products-missing", "Product List", "B6")
    ]


def test_honeywell_scope_c_text_date_duplicates_and_missing_metals(parse_file):
    declaration = parse_file(HONEYWELL)
    company = declaration.company
    assert company.name == "Honeywell International"
    assert company.scope == "C"
    assert company.scope_description.startswith("Honeywell Performance Materials")
    assert company.effective_date == date(2024, 5, 2)
    assert company.effective_date_text == "02-May-2024"
    assert all(declaration.answer("1", m) == "Yes" for m in declaration.minerals)
    assert declaration.answer("H") == "Yes, with the SEC"
    assert len(declaration.smelters) == 40
    assert Counter(s.metal for s in declaration.smelters) == {"tantalum": 22, "tungsten": 18}
    assert [[r.row for r in group] for group in declaration.duplicate_smelters()] == [[6, 7]]
    # tin and gold are declared (Q1 and Q2 = Yes) but have no smelter rows
    missing = [i for i in declaration.errors if i.code == "no-smelters"]
    assert [i.message.split()[0] for i in missing] == ["Tin", "Gold"]
    assert {i.sheet for i in missing} == {"Smelter List"}
    assert codes(declaration.errors) == {"no-smelters": 2}
    assert codes(declaration.warnings)["duplicate-smelter"] == 1


def test_jx_products_and_repeated_smelters(parse_file):
    declaration = parse_file(JX)
    assert declaration.company.name == "JX Advanced Metals Corporation"
    assert declaration.company.scope == "B"
    assert declaration.company.effective_date == date(2024, 5, 30)
    assert {m: declaration.answer("1", m) for m in declaration.minerals} == {
        "tantalum": "Yes",
        "tin": "No",
        "gold": "No",
        "tungsten": "Yes",
    }
    assert len(declaration.smelters) == 27
    assert Counter(s.metal for s in declaration.smelters) == {"tantalum": 16, "tungsten": 11}
    assert [p.number for p in declaration.products] == [
        "Sputtering Target",
        "Sputtering Target",
        "Tantalum parts",
    ]
    groups = {g[0].smelter_id: len(g) for g in declaration.duplicate_smelters()}
    assert groups == {"CID001969": 2, "CID002082": 5, "CID002320": 2}
    # a country left empty on a repeated row is read as empty, not guessed
    assert declaration.smelters[5].country == ""
    assert declaration.errors == []


def test_anonymised_file_reports_the_empty_company_block_cell_by_cell(parse_file):
    declaration = parse_file(ANONYMISED)
    assert declaration.company.name == ""
    assert len(declaration.smelters) == 67
    assert Counter(s.metal for s in declaration.smelters) == {"gold": 34, "tin": 33}
    assert {m: declaration.answer("1", m) for m in declaration.minerals} == {
        "tantalum": "No",
        "tin": "Yes",
        "gold": "Yes",
        "tungsten": "No",
    }
    assert [(i.code, i.cell) for i in declaration.errors] == [
        ("missing-field", "D8"),
        ("missing-field", "D9"),
        ("missing-field", "D15"),
        ("missing-field", "D16"),
        ("missing-field", "D17"),
        ("missing-field", "D18"),
        ("missing-field", "D20"),
        ("missing-field", "D22"),
    ]
    assert all(i.sheet == "Declaration" for i in declaration.errors)


def test_merck_single_tungsten_row(parse_file):
    declaration = parse_file(MERCK)
    assert declaration.company.name.startswith("EMD Electronics")
    assert declaration.company.effective_date == date(2024, 4, 30)
    assert declaration.answer("H") == "Yes, with the EU"
    (row,) = declaration.smelters
    assert (row.metal, row.smelter_id, row.smelter_name) == ("tungsten", "CID002082", "")
    assert row.lookup_name == "Xiamen Tungsten Co., Ltd."
    assert row.contact_email == "smelter5@example.org"
    assert declaration.errors == []


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("1.00_-_empty.xlsx", "1"),
        ("2.00_-_green.xlsx", "2"),
        ("2.00_-_valid_2.xls", "2"),
        ("2.01_-_high_risk.xlsx", "2.01"),
        ("2.02_-_validation_needed.xlsx", "2.02"),
        ("2.03a_-_green.xlsx", "2.03"),
        ("3.01_-_green.xlsx", "3.01"),
        ("3.01_-_high_risk.xlsx", "3.01"),
        ("3.01_-_validation_needed.xlsx", "3.01"),
    ],
)
def test_legacy_cmrts_are_refused_naming_the_version(templates_dir: Path, name, version):
    path = templates_dir / "legacy" / name
    with pytest.raises(TemplateError, match=rf"CMRT version {version} is not supported") as info:
        parse_template(path.read_bytes(), name)
    assert info.value.code == "unsupported-version"
    assert "6.01-6.5" in str(info.value)


def test_a_jpeg_named_xls_is_refused(templates_dir: Path):
    path = templates_dir / "legacy" / "invalid_cmrt.xls"
    with pytest.raises(TemplateError, match="JPEG image, not an Excel workbook") as info:
        parse_template(path.read_bytes(), path.name)
    assert info.value.code == "not-a-workbook"


def test_every_file_is_read_or_refused(templates_dir: Path):
    outcomes: dict[str, str] = {}
    for path in sorted(templates_dir.rglob("*.xls*")):
        try:
            declaration = parse_template(path.read_bytes(), path.name)
        except TemplateError as error:
            outcomes[path.name] = error.code if path.name in str(error) else "unnamed"
        else:
            outcomes[path.name] = declaration.family
    assert len(outcomes) >= 32
    assert set(outcomes.values()) <= {
        "CMRT",
        "EMRT",
        "AMRT",
        "CRT",
        "unsupported-version",
        "not-a-workbook",
    }
    assert Counter(outcomes.values())["unsupported-version"] == 9


@pytest.mark.parametrize(
    "name", [CENTRAL_GLASS, HONEYWELL, JX, ANONYMISED, "blank/RMI_EMRT_2.1.xlsx"]
)
def test_slimming_the_package_reads_the_same_values(parse_file, monkeypatch, name):
    # given the declaration read from the slimmed package (the normal path)
    slimmed = parse_file(name)
    # when the package is read as it is
    monkeypatch.setattr("oretrace.declarations.rmi.detect.slim_workbook", lambda data: data)
    whole = parse_file(name)
    # then
    assert slimmed == whole
