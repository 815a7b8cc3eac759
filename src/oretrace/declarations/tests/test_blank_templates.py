"""A blank template is not a declaration: every official blank in ../shared/data looks blank,
every real declaration does not (the anonymised one with its empty company block included), and
so do small generated files."""

from __future__ import annotations

from pathlib import Path

import pytest

from oretrace.declarations.rmi import parse_template
from oretrace.declarations.rmi.blank import blank_message, looks_blank
from oretrace.declarations.tests.test_bad_files import cmrt

BLANKS = (
    "AMRT_1.2",
    "AMRT_1.3",
    "CMRT_6.01",
    "CMRT_6.1",
    "CMRT_6.22",
    "CMRT_6.31",
    "CMRT_6.4",
    "CMRT_6.5",
    "CRT_2.2",
    "CRT_2.21",
    "EMRT_1.1",
    "EMRT_1.11",
    "EMRT_1.2",
    "EMRT_1.3",
    "EMRT_2.0",
    "EMRT_2.1",
)


@pytest.mark.parametrize("name", BLANKS)
def test_every_official_blank_looks_blank(templates_dir: Path, name: str):
    path = templates_dir / "blank" / f"RMI_{name}.xlsx"
    parsed = parse_template(path.read_bytes(), path.name)
    assert looks_blank(parsed)
    message = blank_message(parsed)
    assert path.name in message
    assert "looks like a blank template" in message
    assert f"({parsed.family} {parsed.version})" in message


def test_the_english_blank_looks_blank(templates_dir: Path):
    path = templates_dir / "blank" / "english" / "RMI_CMRT_6.4.xlsx"
    assert looks_blank(parse_template(path.read_bytes(), path.name))


def test_no_real_declaration_looks_blank(templates_dir: Path):
    paths = sorted((templates_dir / "filled").glob("*.xlsx"))
    assert len(paths) == 6
    for path in paths:
        parsed = parse_template(path.read_bytes(), path.name)
        assert not looks_blank(parsed), path.name
    # the anonymised one names no company, but answers and lists smelters
    (pkg,) = [p for p in paths if "PKG" in p.name]
    parsed = parse_template(pkg.read_bytes(), pkg.name)
    assert parsed.company.name == ""
    assert parsed.smelters


@pytest.mark.parametrize(
    ("cells", "blank"),
    [
        ({}, True),  # nothing at all
        ({"D8": "Example Co."}, False),  # a company name is enough to be somebody's
        ({"D16": "someone@example.org"}, False),  # … and so is a contact
        ({"D26": "Yes", "D27": "Yes"}, True),  # answers with no company and no rows
    ],
)
def test_generated_templates(cells: dict[str, str], blank: bool):
    parsed = parse_template(cmrt(**cells), "generated.xlsx")
    if "D26" in cells:  # the answers were read: it is their company and rows that lack
        assert [a.answer for a in parsed.answers if a.answer] == ["Yes", "Yes"]
    assert looks_blank(parsed) is blank
