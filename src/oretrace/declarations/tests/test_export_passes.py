"""The roll-up of the six real supplier CMRTs, written into the real blank CMRT 6.5 and read
back by our importer, passes the template's own checks: no checker error, no duplicate smelter
row, the suppliers' IDs kept for smelters the registry does not know, no answer to the
questions a metal out of scope skips. A filled template is refused as the blank."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from oretrace.core.choices import Role
from oretrace.core.models import Membership
from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.core.tests.scopes import shared_rows
from oretrace.declarations import services
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.models import Declaration
from oretrace.declarations.queries.rollup import build_rollup
from oretrace.declarations.rmi import ParsedDeclaration, parse_template
from oretrace.declarations.rmi.checks import in_scope_minerals
from oretrace.declarations.services import imports
from oretrace.declarations.services.export import (
    COMPANY_ANSWER_DEFAULTS,
    rollup_content,
    write_into_blank,
)
from oretrace.declarations.tests.conftest import SHARED_DATA, TODAY, _import_registry

pytestmark = pytest.mark.django_db
YEAR = 2023
CONTACT = {
    "contact_name": "Compliance Desk",
    "contact_email": "desk@alpha.example",
    "contact_phone": "+91 11 0000 0000",
    "authorizer_name": "A. Person",
    "authorizer_title": "Director",
    "authorizer_email": "director@alpha.example",
    "authorizer_phone": "+91 11 0000 0001",
}


def _accept(member, templates_dir: Path, part: str = "") -> list[Declaration]:
    done = []
    for path in sorted((templates_dir / "filled").iterdir()):
        if part not in path.name:
            continue
        outcome = imports.import_declaration(
            path.read_bytes(), path.name, actor=member, reporting_year=YEAR, today=TODAY
        )
        assert outcome.outcome == "imported", outcome.message
        declaration = outcome.declaration
        assert declaration is not None
        services.decide(declaration, status="accepted", note="reviewed", actor=member)
        done.append(declaration)
    return done


@dataclass(frozen=True)
class Accepted:
    """Organisation A's administrator and the declarations it accepted."""

    member: Membership
    declarations: list[Declaration]


@pytest.fixture(scope="module", params=["empty registry", "RMI list loaded"])
def six_accepted(request, django_db_setup, django_db_blocker) -> Iterator[Accepted]:
    """The six real CMRTs imported for one reporting year and accepted by organisation A: into
    an empty registry (a new customer: every row waits in the review queue) and into one with
    the RMI Smelter Look-up loaded (most rows matched).

    Imported once per registry for the module's tests, which only read them: kept in a
    transaction rolled back when pytest moves on to the other registry (a module-scoped
    parameter: pytest runs the tests of one registry, then of the other), so the tests of the
    empty registry never see the loaded one; each test's own writes are rolled back after it.
    """
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    with shared_rows(django_db_blocker):
        if request.param == "RMI list loaded":
            _import_registry(SHARED_DATA)
        member = MembershipFactory.create(
            organisation=OrganisationFactory.create(
                legal_name="Alpha Mica Processing Ltd", country_id="IN"
            ),
            roles=[Role.ADMIN],
        )
        done = _accept(member, SHARED_DATA / "rmi-templates")
        assert len(done) == 6
        yield Accepted(member, done)


def _export(member, blank: Path) -> bytes:
    rollup = build_rollup(member, "CMRT", YEAR)
    content = rollup_content(
        rollup,
        member.organisation,
        contact=CONTACT,
        company_answers=COMPANY_ANSWER_DEFAULTS["CMRT"],
        effective=date(2024, 7, 1),
    )
    return write_into_blank(blank.read_bytes(), blank.name, content)


BLANK = SHARED_DATA / "rmi-templates" / "blank" / "RMI_CMRT_6.5.xlsx"


@dataclass(frozen=True)
class Exported:
    """The roll-up of ``six_accepted`` written into the real blank CMRT 6.5, and read back."""

    written: bytes
    parsed: ParsedDeclaration


@pytest.fixture(scope="module")
def six_exported(six_accepted: Accepted, django_db_blocker) -> Exported:
    """Written and read back once per registry: the tests only read the file and its parse."""
    with django_db_blocker.unblock():
        written = _export(six_accepted.member, BLANK)
    return Exported(written, parse_template(written, "rollup.xlsx", today=date(2024, 7, 2)))


def test_the_rollup_of_six_real_cmrts_passes_its_own_checks(
    six_accepted: Accepted, six_exported: Exported
):
    member_a = six_accepted.member
    rollup = build_rollup(member_a, "CMRT", YEAR)
    assert len(rollup.declarations) == 6
    written, parsed = six_exported.written, six_exported.parsed
    assert (parsed.family, parsed.version) == ("CMRT", "6.5")
    assert [str(e) for e in parsed.errors] == []
    assert parsed.duplicate_smelters() == []
    assert [w for w in parsed.warnings if w.code == "duplicate-smelter"] == []
    # every smelter the suppliers identified is there once, with its ID
    ids = [s.smelter_id for s in parsed.smelters if s.smelter_id]
    assert len(ids) == len({(s.metal, s.smelter_id) for s in parsed.smelters if s.smelter_id})
    declared = {
        (e.metal, e.smelter_id)
        for d in six_accepted.declarations
        for e in d.smelter_entries.all()
        if e.smelter_id and e.smelter_id.upper().startswith("CID")
    }
    exported = {(s.metal, s.smelter_id) for s in parsed.smelters if s.smelter_id}
    assert {cid for _m, cid in declared} <= {cid for _m, cid in exported}
    # metals out of scope skip questions 3 to 8: no "Unknown" for them
    in_scope = set(in_scope_minerals(parsed))
    for item in parsed.answers:
        if item.mineral not in in_scope and int(item.question) >= 3:
            assert item.answer == "", (item.question, item.mineral, item.answer)
    # read back through the whole import pipeline too: 0 checker errors
    outcome = imports.import_declaration(
        written, "our-cmrt.xlsx", actor=member_a, reporting_year=YEAR, today=date(2024, 7, 2)
    )
    assert outcome.outcome == "imported", outcome.message
    assert outcome.declaration is not None
    assert outcome.declaration.error_count == 0


@pytest.mark.parametrize("six_accepted", ["empty registry"], indirect=True)
def test_unlisted_smelters_keep_the_suppliers_ids_once(
    six_accepted: Accepted, six_exported: Exported
):
    member_a = six_accepted.member  # an empty registry: no row names a known facility
    rollup = build_rollup(member_a, "CMRT", YEAR)
    assert rollup.smelters == []
    declared = {
        (u.entry.metal, u.entry.smelter_id.upper()) for u in rollup.unresolved if u.entry.smelter_id
    }
    assert declared
    parsed = six_exported.parsed
    exported = [(s.metal, s.smelter_id.upper()) for s in parsed.smelters if s.smelter_id]
    assert set(exported) == declared
    assert len(exported) == len(declared), "each declared smelter once"
    named = [s for s in parsed.smelters if s.smelter_id]
    assert all(s.not_listed and s.smelter_name and s.country_text for s in named)
    # each row says which suppliers named it
    assert all(s.comments.startswith("reported by ") for s in parsed.smelters)


def test_metals_out_of_scope_skip_the_later_questions(member_a, templates_dir, shared_data):
    """Central Glass declares tungsten only (question 1 is No for the other three metals)."""
    _accept(member_a, templates_dir, "_CG2024")
    rollup = build_rollup(member_a, "CMRT", YEAR)
    assert len(rollup.declarations) == 1
    for metal in ("tantalum", "tin", "gold"):
        assert rollup.answers[("1", metal)] == "No"
        assert {rollup.answers[(str(q), metal)] for q in range(2, 9)} == {""}
    assert rollup.answers[("3", "tungsten")] in ("Yes", "No", "Unknown")
    blank = shared_data / "rmi-templates" / "blank" / "RMI_CMRT_6.5.xlsx"
    parsed = parse_template(_export(member_a, blank), "rollup.xlsx", today=date(2024, 7, 2))
    assert [str(e) for e in parsed.errors] == []
    assert in_scope_minerals(parsed) == ["tungsten"]
    assert parsed.answer("3", "gold") == parsed.answer("5", "tin") == ""


@pytest.mark.parametrize(
    ("part", "cells"),
    [
        ("JX Advanced", ["Declaration!D8", "Smelter List rows 5-31", "Product List"]),
        ("PKG_DE00", ["Smelter List rows 5-71"]),  # the company block is empty in this one
    ],
)
def test_a_filled_template_is_refused_as_the_blank(templates_dir, part, cells):
    (filled,) = [p for p in (templates_dir / "filled").iterdir() if part in p.name]
    with pytest.raises(DeclarationError, match="is not blank") as refused:
        write_into_blank(filled.read_bytes(), filled.name, {"family": "CMRT"})
    for cell in cells:
        assert cell in str(refused.value)


@pytest.mark.parametrize("name", ["RMI_CMRT_6.5.xlsx", "RMI_CMRT_6.31.xlsx", "RMI_EMRT_2.1.xlsx"])
def test_real_blanks_are_accepted(shared_data, name):
    from oretrace.declarations.services.export import blank_map

    blank = shared_data / "rmi-templates" / "blank" / name
    assert blank_map(blank.read_bytes(), name).family == name.split("_")[1]


def test_the_blank_with_a_stray_row_is_refused_naming_it(shared_data):
    """The CMRT 6.4 saved by another tool keeps one Smelter List row (Tin / Alpha Metals)."""
    from oretrace.declarations.services.export import blank_map

    blank = shared_data / "rmi-templates" / "blank" / "RMI_CMRT_6.4.xlsx"
    with pytest.raises(DeclarationError, match=r"not blank.*: Smelter List row 5[.]"):
        blank_map(blank.read_bytes(), blank.name)
