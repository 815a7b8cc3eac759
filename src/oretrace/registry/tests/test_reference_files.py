"""Reading Smelter Look-up sheets and facility lists: the real RMI files, and broken ones."""

# ruff: noqa: RUF001 - sheet labels in Chinese

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from oretrace.registry.reference_files import (
    ReferenceFileError,
    load_id_translation,
    read_reference_file,
)

BLANK = Path("rmi-templates") / "blank"
LISTS = Path("smelter-lists")
LOOKUP_HEADER: list[object] = [
    "Metal",
    "Smelter Look-up (*)",
    "Standard Smelter Names",
    "Smelter Facility Location: Country",
    "Smelter ID",
    "Source of Smelter Identification Number",
    "Smelter Street",
    "Smelter City",
    "Smelter Facility Location: State / Province",
]

# Rows in each blank template's Smelter Look-up, without the two placeholder rows per metal
# ("Smelter not listed", "Smelter not yet identified"), counted in the files with a spreadsheet.
LOOKUP_ROWS = {
    f"RMI_{template}_{version}.xlsx": (template, version, rows)
    for template, counts in {
        "CMRT": {"6.01": 579, "6.1": 598, "6.22": 620, "6.31": 629, "6.4": 652, "6.5": 629},
        "CRT": {"2.2": 88},
        "EMRT": {"1.1": 141, "1.11": 141, "1.2": 156, "1.3": 183, "2.0": 420, "2.1": 479},
        "AMRT": {"1.3": 62},
    }.items()
    for version, rows in counts.items()
} | {
    "RMI_CRT_2.21.xlsx": ("CRT", "2.2", 88),  # the 2.21 file calls itself 2.2
    "english/RMI_CMRT_6.4.xlsx": ("CMRT", "6.4", 652),
}


def _read(path: Path, **kwargs):
    return read_reference_file(path.read_bytes(), path.name, **kwargs)


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _lookup_sheet(*rows: list[object], header: list[object] | None = None) -> bytes:
    preamble: list[list[object]] = [["The following list represents …"], [], []]
    return _xlsx({"Smelter Look-up": [*preamble, header or LOOKUP_HEADER, *rows]})


# --- real templates -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LOOKUP_ROWS))
def test_every_blank_template_smelter_lookup_parses(shared_data, name):
    # given a blank RMI template, saved in Chinese (or the pristine English one)
    template, version, count = LOOKUP_ROWS[name]
    # when
    result = _read(shared_data / BLANK / name)
    # then
    assert (result.kind, result.template, result.version) == ("smelter-lookup", template, version)
    assert result.sheet == "Smelter Look-up"
    assert len(result.rows) == count
    assert result.errors == []
    assert all(r.facility_id.startswith("CID") and len(r.facility_id) == 9 for r in result.rows)
    assert all(r.metal and r.name and r.standard_name for r in result.rows)
    assert all(r.country or r.country_text in ("", "Unknown") for r in result.rows)
    # a few rows leave "Source of Smelter Identification Number" blank (17 in CMRT 6.4)
    assert {r.extra.get("id_source", "RMI") for r in result.rows} == {"RMI"}
    assert result.rows[0].row == 5  # header on row 4, whatever language it reads back in


def _cids_per_metal(rows) -> dict[str, int]:
    """How many distinct CIDs each metal's rows name."""
    ids: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        ids[row.metal].add(row.facility_id)
    return {metal: len(cids) for metal, cids in ids.items()}


def test_cmrt_65_counts_match_the_rmi_snapshot(shared_data):
    # given the CMRT 6.5 look-up, whose sizes DOMAIN.md §1.10 records
    result = _read(shared_data / BLANK / "RMI_CMRT_6.5.xlsx")
    # then: unique CIDs and alias rows per metal
    assert _cids_per_metal(result.rows) == {"gold": 182, "tin": 73, "tungsten": 59, "tantalum": 35}
    assert Counter(r.metal for r in result.rows) == {
        "gold": 324,
        "tin": 153,
        "tungsten": 87,
        "tantalum": 65,
    }


def test_emrt_21_and_amrt_13_counts(shared_data):
    emrt = _read(shared_data / BLANK / "RMI_EMRT_2.1.xlsx")
    amrt = _read(shared_data / BLANK / "RMI_AMRT_1.3.xlsx")
    assert _cids_per_metal(emrt.rows) == {
        "cobalt": 104,
        "copper": 78,
        "lithium": 47,
        "nickel": 45,
        "mica": 31,
    }  # graphite has only the two placeholder rows
    assert len({r.facility_id for r in amrt.rows}) == 49
    assert {r.metal for r in amrt.rows} >= {"aluminium", "rare-earth-elements", "soda-ash"}


def test_chinese_and_english_templates_read_the_same(shared_data):
    chinese = _read(shared_data / BLANK / "RMI_CMRT_6.4.xlsx")
    english = _read(shared_data / BLANK / "english" / "RMI_CMRT_6.4.xlsx")
    assert chinese.rows == english.rows


def test_lookup_row_fields(shared_data):
    result = _read(shared_data / BLANK / "RMI_CMRT_6.5.xlsx")
    first = result.rows[0]
    assert (first.row, first.metal, first.name, first.facility_id) == (
        5,
        "gold",
        "8853 S.p.A.",
        "CID002763",
    )
    assert (first.country, first.country_text, first.city, first.state) == (
        "IT",
        "ITALY",
        "Pero",
        "Lombardia",
    )
    assert (first.status, first.last_audit) == ("", None)
    chinese_alias = next(r for r in result.rows if r.name == "云南锡业股份有限公司锡业分公司")
    assert chinese_alias.metal == "tin"
    assert chinese_alias.standard_name != chinese_alias.name  # the ASCII standard name


def test_version_in_the_file_name_that_disagrees_is_a_warning(shared_data):
    result = _read(shared_data / BLANK / "RMI_CRT_2.21.xlsx")
    assert result.version == "2.2"
    assert any("file name says CRT 2.21" in w for w in result.warnings)


def test_a_template_without_a_lookup_sheet_is_refused(shared_data):
    with pytest.raises(ReferenceFileError, match=r"AMRT 1\.2 template has no 'Smelter Look-up'"):
        _read(shared_data / BLANK / "RMI_AMRT_1.2.xlsx")


def test_a_jpeg_renamed_xls_is_refused(shared_data):
    with pytest.raises(ReferenceFileError, match=r"invalid_cmrt\.xls: this is a JPEG image"):
        _read(shared_data / "rmi-templates" / "legacy" / "invalid_cmrt.xls")


def test_legacy_standard_smelter_names_with_old_ids_translated(shared_data):
    # given the CFSI v2 → v3 translation table and a CMRT 2.03a with old IDs like 1JPN072
    translation = load_id_translation(
        (shared_data / LISTS / "ldenevi_ddm" / "v2_to_v3_translation_data.csv").read_bytes()
    )
    # when
    result = _read(
        shared_data / "rmi-templates" / "legacy" / "2.03a_-_green.xlsx",
        id_translation=translation,
    )
    # then
    assert (result.kind, result.sheet, result.template) == (
        "smelter-lookup",
        "Standard Smelter Names",
        "CMRT",
    )
    aida = next(r for r in result.rows if r.name.startswith("Aida Chemical"))
    assert (aida.facility_id, aida.extra["cfsi_id"]) == ("CID000019", "1JPN072")
    untranslated = [w for w in result.warnings if "has no CID in the ID translation table" in w]
    assert untranslated
    assert all("sheet 'Standard Smelter Names', cell E" in w for w in untranslated)


def test_legacy_xls_biff8(shared_data):
    result = _read(shared_data / "rmi-templates" / "legacy" / "2.00_-_valid_2.xls")
    assert result.sheet == "Standard Smelter Names"
    assert len(result.rows) == 151
    assert {r.metal for r in result.rows} == {"gold", "tin", "tantalum", "tungsten"}


# --- real facility lists ------------------------------------------------------------------------


def test_rmi_facility_list_export(shared_data):
    path = shared_data / LISTS / "harish-sahu-ks_CMRT_Backend" / "Upload_file" / "RMI_List0.xlsx"
    result = _read(path)
    assert result.kind == "facility-list"
    assert result.source == "RMI facility list export"
    assert "Revisions History of smelters" not in result.sheet
    assert any("'Revisions History of smelters': skipped" in w for w in result.warnings)
    assert len(result.rows) == 808
    statuses = Counter(r.status for r in result.rows)
    assert statuses["Conformant"] > 500
    assert statuses["Active"] > 40
    # the Conformant sheet's "City, Province" column and its M/D/YYYY or real dates
    almt = next(r for r in result.rows if r.facility_id == "CID000004")
    assert (almt.city, almt.state, almt.last_audit) == ("Toyama City", "Toyama", date(2021, 3, 9))
    assert almt.extra["audit cycle"] == "3 Years"
    abington = next(r for r in result.rows if r.facility_id == "CID002708")
    assert abington.last_audit == date(2020, 11, 19)  # typed as the text 11/19/2020
    # the same smelter with different statuses in two sheets: the first sheet wins, and says so
    assert abington.status == "Conformant"
    conflict = next(w for w in result.warnings if "CID002708" in w)
    assert "sheet 'ALl Smelter List', row 4" in conflict
    assert "sheet 'Conformant', row 3" in conflict
    # cobalt and mica come from their own sheets
    assert {r.metal for r in result.rows} >= {"cobalt", "mica", "gold", "tin"}


def test_cfsi_list_csv(shared_data):
    path = shared_data / LISTS / "ldenevi_ddm" / "cfsi_compliant_smelters_list.csv"
    result = _read(path)
    assert (result.kind, len(result.rows)) == ("facility-list", 129)
    assert Counter(r.status for r in result.rows) == {
        "Compliant": 87,
        "Active": 29,
        "Progressing": 13,
    }
    # the file itself holds U+FFFD where its accents were lost before it was published
    assert any(r.name.startswith("AngloGold Ashanti C\ufffdrrego") for r in result.rows)
    assert any("cell B89: 'ID000157' is not a smelter ID" in w for w in result.warnings)


def test_load_id_translation(shared_data):
    data = (shared_data / LISTS / "ldenevi_ddm" / "v2_to_v3_translation_data.csv").read_bytes()
    translation = load_id_translation(data)
    assert translation["1JPN072"] == "CID000019"
    assert len(translation) == 183
    assert all(v.startswith("CID") for v in translation.values())


def test_load_id_translation_without_pairs_is_refused():
    with pytest.raises(ReferenceFileError, match="no row with an old smelter ID"):
        load_id_translation(b"a,b\n1,2\n")
    with pytest.raises(ReferenceFileError, match="empty"):
        load_id_translation(b"")


# --- generated files: what goes wrong -----------------------------------------------------------


def test_generated_lookup_sheet_reads_by_position():
    data = _lookup_sheet(
        ["Tin", "Alpha Tin Smelter", "Alpha Tin Smelter Co., Ltd.", "CHINA", "cid 000123", "RMI"],
        ["Gold", "Smelter not listed"],
        ["Gold", "Beta Gold", "Beta Gold Refinery", "KOREA, REPUBLIC OF", "CID000456", "RMI"],
        header=["金属", "冶炼厂查找 (*)", "标准冶炼厂名称", "冶炼厂地址：国家或地区", "冶炼厂 ID"],
    )
    result = read_reference_file(data, "lookup.xlsx")
    assert [(r.row, r.metal, r.facility_id, r.country) for r in result.rows] == [
        (5, "tin", "CID000123", "CN"),
        (7, "gold", "CID000456", "KR"),
    ]


def test_wrong_sheet_names_the_sheets_found():
    data = _xlsx({"Sheet1": [["hello", "world"], [1, 2]], "Notes": [["x"]]})
    with pytest.raises(ReferenceFileError, match=r"wrong\.xlsx: no sheet to read.*Sheet1, Notes"):
        read_reference_file(data, "wrong.xlsx")


def test_lookup_without_smelter_ids_names_sheet_and_header_row():
    # given a look-up sheet whose ID column was deleted (everything after C moved left)
    header = [h for h in LOOKUP_HEADER if h != "Smelter Facility Location: Country"]
    data = _lookup_sheet(
        ["Tin", "Alpha", "Alpha Co.", "CID000001", "RMI"],
        ["Tin", "Beta", "Beta Co.", "CID000002", "RMI"],
        header=header,
    )
    with pytest.raises(ReferenceFileError) as caught:
        read_reference_file(data, "moved.xlsx")
    message = str(caught.value)
    assert "moved.xlsx, sheet 'Smelter Look-up', header row 4" in message
    assert "column D is headed 'Smelter ID', which belongs in column E" in message


def test_lookup_with_missing_columns_and_no_labels_names_header_row():
    data = _lookup_sheet(
        ["Tin", "Alpha", "Alpha Co.", "CHINA"],
        ["Tin", "Beta", "Beta Co.", "CHINA"],
        header=["", "", "", ""],  # labels that read back empty
    )
    with pytest.raises(ReferenceFileError) as caught:
        read_reference_file(data, "short.xlsx")
    message = str(caught.value)
    assert "sheet 'Smelter Look-up'" in message
    assert "column E should hold smelter IDs" in message
    assert "2 of 2 rows have none" in message


def test_lookup_without_any_metal_rows_is_refused():
    data = _lookup_sheet(["Nothing", "here"], ["at", "all"])
    with pytest.raises(ReferenceFileError, match="sheet 'Smelter Look-up': no smelter rows found"):
        read_reference_file(data, "empty-lookup.xlsx")


def test_bad_rows_are_reported_with_their_cell():
    data = _lookup_sheet(
        ["Tin", "Alpha", "Alpha Co.", "CHINA", "CID000001", "RMI"],
        ["Tinn", "Beta", "Beta Co.", "CHINA", "CID000002", "RMI"],
        ["Tin", "Gamma", "Gamma Co.", "Atlantis", "CID000003", "RMI"],
        ["Tin", "Delta", "Delta Co.", "CHINA", "1CHN999", "RMI"],
        ["Tin", "Epsilon", "Epsilon Co.", "CHINA", "CID000005", "RMI"],
    )
    result = read_reference_file(data, "rows.xlsx")
    assert [r.name for r in result.rows] == ["Alpha", "Gamma", "Delta", "Epsilon"]
    assert result.errors == [
        "rows.xlsx, sheet 'Smelter Look-up', cell A6: 'Tinn' is not a metal or mineral "
        "(expected e.g. Tin, Gold, Cobalt, Mica)"
    ]
    assert any(
        "cell D7: country 'Atlantis' is not an ISO 3166 country" in w for w in result.warnings
    )
    assert any("cell E8: old CFSI smelter ID '1CHN999'" in w for w in result.warnings)
    delta = next(r for r in result.rows if r.name == "Delta")
    assert (delta.facility_id, delta.extra["cfsi_id"]) == ("", "1CHN999")


def test_old_ids_are_translated_when_a_mapping_is_given():
    data = _lookup_sheet(["Gold", "Aida", "Aida Chemical", "JAPAN", "1JPN072", "RMI"])
    result = read_reference_file(data, "old.xlsx", id_translation={"1jpn072": "CID000019"})
    assert result.rows[0].facility_id == "CID000019"
    assert result.rows[0].extra["cfsi_id"] == "1JPN072"
    assert result.warnings == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty.xlsx: the file is empty"),
        (b"   \n", "empty.xlsx: the file is empty"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100), "this is a JPEG image"),
        (b"%PDF-1.7\n" + bytes(100), "this is a PDF document"),
        (b"PK\x03\x04" + b"not really a zip" * 10, "could not be read as an Excel workbook"),
        (b"\xd0\xcf\x11\xe0" + bytes(600), "could not be read as an Excel workbook"),
        (bytes(range(256)) * 4, "not an Excel workbook (.xlsx, .xls) or a CSV file"),
    ],
)
def test_files_that_are_not_workbooks(data, expected):
    with pytest.raises(ReferenceFileError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        read_reference_file(data, "empty.xlsx")


def test_reference_file_error_is_a_value_error():
    assert issubclass(ReferenceFileError, ValueError)


def test_csv_in_windows_1252():
    data = "Metal,Smelter ID,Smelter Name\nGold,CID000058,AngloGold Ashanti Córrego\n"
    result = read_reference_file(data.encode("cp1252"), "list.csv")
    assert result.rows[0].name == "AngloGold Ashanti Córrego"


def test_csv_with_wrong_headers_names_the_row_and_the_expected_columns():
    data = b"Company,Turnover,Employees\nAcme,100,5\n"
    with pytest.raises(ReferenceFileError) as caught:
        read_reference_file(data, "list.csv")
    message = str(caught.value)
    assert message.startswith("list.csv: no header row found in the first 15 rows")
    assert "'Company', 'Turnover', 'Employees'" in message
    assert "expected columns such as Metal, Smelter ID, Standard Smelter Name" in message


def test_csv_facility_list_with_dates_statuses_and_old_ids():
    data = (
        b"Metal;Smelter ID;Standard Smelter Name;Country;State/Province/Region;RMAP Status;"
        b"Last Audit Date;Audit Cycle\n"
        b"Gold;CID000001;Alpha Refinery;Switzerland;Ticino;Conformant;2024-05-02;1 Year\n"
        b"Tin;1CHN001;Beta Tin;China;Yunnan;Active;02-May-2024;\n"
        b"Tungsten;CID000003;Gamma W;Japan;;Conformant;45414;3 Years\n"
        b"Tantalum;CID000004;Delta Ta;Germany;;Conformant;soon;\n"
    )
    result = read_reference_file(data, "list.csv", id_translation={"1CHN001": "CID000002"})
    assert result.kind == "facility-list"
    assert result.source == "facility list list.csv"
    rows = {r.name: r for r in result.rows}
    assert rows["Alpha Refinery"].last_audit == date(2024, 5, 2)
    assert rows["Alpha Refinery"].standard_name == "Alpha Refinery"
    assert rows["Alpha Refinery"].extra == {"audit cycle": "1 Year"}
    assert (rows["Beta Tin"].facility_id, rows["Beta Tin"].status) == ("CID000002", "Active")
    assert rows["Beta Tin"].last_audit == date(2024, 5, 2)
    assert rows["Gamma W"].last_audit == date(2024, 5, 2)  # an Excel serial number
    assert rows["Delta Ta"].last_audit is None
    assert result.warnings == [
        "list.csv, cell G5: 'soon' is not a date (expected e.g. 2024-05-02 or 5/2/2024); "
        "last audit date left empty"
    ]


def test_workbook_facility_list_with_a_type_column_holding_statuses():
    data = _xlsx(
        {
            "Conformant": [
                [
                    "Sl #",
                    "METAL",
                    "SMELTER ID",
                    "STANDARD SMELTER NAME",
                    "COUNTRY LOCATION",
                    "Type",
                ],
                [1, "Gold", "CID000001", "Alpha", "JAPAN", "Conformant"],
                [2, "Cobalt", "CID000002", "Beta", "CHINA", "Conformant"],
            ],
            "Other": [
                ["METAL", "SMELTER ID", "SMELTER REFERENCE", "Type"],
                ["Gold", "CID000001", "Alpha Alias", "Low Risk"],
            ],
        }
    )
    result = read_reference_file(data, "list.xlsx")
    assert result.sheet == "Conformant, Other"
    assert [(r.name, r.status) for r in result.rows] == [
        ("Alpha", "Conformant"),
        ("Beta", "Conformant"),
        ("Alpha Alias", "Conformant"),  # the smelter's status, shared by its aliases
    ]
    assert result.rows[2].extra == {"sheet": "Other", "type": "Low Risk"}


def test_dates_from_excel_cells():
    data = _xlsx(
        {
            "List": [
                ["Metal", "Smelter ID", "Standard Smelter Name", "Last audit date"],
                ["Gold", "CID000001", "Alpha", datetime(2023, 1, 31, 0, 0)],  # noqa: DTZ001
            ]
        }
    )
    result = read_reference_file(data, "dates.xlsx")
    assert result.rows[0].last_audit == date(2023, 1, 31)
