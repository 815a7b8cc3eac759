"""Files that are not supported templates get a `TemplateError` that names the reason."""

from __future__ import annotations

import io
from datetime import date

import pytest

from oretrace.declarations.rmi import TemplateError, parse_template

openpyxl = pytest.importorskip("openpyxl")
ooxml = pytest.importorskip("msoffcrypto.format.ooxml")


def workbook_bytes(cells: dict[str, str], sheet: str = "Declaration") -> bytes:
    """A small workbook with one sheet holding ``cells``."""
    workbook = openpyxl.Workbook()
    workbook.active.title = sheet
    for address, value in cells.items():
        workbook.active[address] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def cmrt(revision: str = "Revision 6.4 April 26, 2024", **cells: str) -> bytes:
    return workbook_bytes(
        {"D2": "Conflict Minerals Reporting Template (CMRT)", "J3": revision, **cells}
    )


def encrypt(data: bytes, password: str) -> bytes:
    out = io.BytesIO()
    ooxml.OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def test_excel_default_password_is_opened():
    # given a workbook "encrypted" with the password Excel uses for read-only protection
    data = encrypt(cmrt(D8="Example Co."), "VelvetSweatshop")
    assert data.startswith(b"\xd0\xcf\x11\xe0")
    # when
    declaration = parse_template(data, "protected.xlsx")
    # then
    assert (declaration.family, declaration.version) == ("CMRT", "6.4")
    assert declaration.company.name == "Example Co."


def test_a_real_password_is_reported():
    data = encrypt(cmrt(), "s3cret")
    with pytest.raises(TemplateError, match="protected by a password") as info:
        parse_template(data, "locked.xlsx")
    assert info.value.code == "encrypted"
    assert "locked.xlsx" in str(info.value)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"%PDF-1.7 ...", "a PDF document, not an Excel workbook"),
        (b"\x89PNG\r\n\x1a\n....", "a PNG image"),
        (b"Company,Scope\nExample,A\n", "not an Excel workbook"),
        (b"PK\x03\x04 truncated zip", "could not be read as an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "could not be read"),
    ],
)
def test_not_a_workbook(data: bytes, reason: str):
    with pytest.raises(TemplateError, match=reason) as info:
        parse_template(data, "upload.bin")
    assert info.value.code == "not-a-workbook"


def test_a_workbook_without_a_declaration_sheet_is_not_a_template():
    data = workbook_bytes({"A1": "Metal", "B1": "Smelter"}, sheet="Suppliers")
    with pytest.raises(TemplateError, match=r"no 'Declaration' sheet.*Suppliers") as info:
        parse_template(data, "suppliers.xlsx")
    assert info.value.code == "not-a-template"


def test_a_declaration_sheet_without_an_rmi_title_is_not_a_template():
    data = workbook_bytes({"D2": "Our own supplier questionnaire"})
    with pytest.raises(TemplateError, match="names no CMRT, EMRT, AMRT or CRT") as info:
        parse_template(data, "own.xlsx")
    assert info.value.code == "not-a-template"


@pytest.mark.parametrize(
    ("title", "revision", "named"),
    [
        (
            "Conflict Minerals Reporting Template (CMRT)",
            "Revision 5.12 May 2019",
            "CMRT version 5.12",
        ),
        ("Extended Minerals Reporting Template (EMRT)", "Revision 1.0", "EMRT version 1.0"),
        ("Pilot Reporting Template (PRT)", "Revision 1.01", "PRT"),
        ("Cobalt Reporting Template (CRT)", "Revision 1.1", "CRT version 1.1"),
    ],
)
def test_unsupported_versions_are_named(title: str, revision: str, named: str):
    data = workbook_bytes({"D2": title, "J3": revision})
    with pytest.raises(TemplateError, match=named) as info:
        parse_template(data, "old.xlsx")
    assert info.value.code == "unsupported-version"


def test_a_newer_minor_version_is_read_with_the_newest_layout_and_a_warning():
    declaration = parse_template(
        cmrt("Revision 6.6 April 2026", D8="Example Co.", D22="2026-04-30"),
        "new.xlsx",
        today=date(2026, 5, 1),
    )
    assert declaration.version == "6.6"
    assert declaration.company.effective_date == date(2026, 4, 30)
    assert [w.code for w in declaration.warnings][:1] == ["newer-version"]


def test_a_newer_major_version_is_refused():
    with pytest.raises(TemplateError, match=r"CMRT version 7\.0 is not supported"):
        parse_template(cmrt("Revision 7.0 2027"), "future.xlsx")
