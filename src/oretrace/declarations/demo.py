"""Demo supplier declarations: Brightline Devices (the 3TG brand of the demo) receives CMRTs
from three suppliers. oretrace ships no RMI template, so the demo writes its files itself in the
CMRT 6.5 cell layout (the cells the reader uses, nothing else) and imports them through the real
pipeline: checks, matching against Brightline's registry entries, red flags, review queue,
decisions, roll-up."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import openpyxl
from django.utils import timezone

from oretrace.core.demo import demo_step
from oretrace.core.models import Membership
from oretrace.core.tenancy import owned
from oretrace.declarations import services
from oretrace.declarations.models import Declaration
from oretrace.declarations.rmi.maps import CMRT_METALS
from oretrace.declarations.services.export import write_into_blank
from oretrace.declarations.services.imports import import_declaration, start_import
from oretrace.registry import services as registry
from oretrace.registry.choices import AssuranceScheme, FacilityKind
from oretrace.registry.models import Facility

# (name, country code, country as the template writes it, metal, RMAP status, district lat/lon)
SMELTERS = (
    ("Bangka West Tin Smelter", "ID", "INDONESIA", "tin", "Conformant", ("-2.06", "105.16")),
    ("Setouchi Tin Refining Co., Ltd.", "JP", "JAPAN", "tin", "Conformant", ("33.96", "133.28")),
    ("Rio Claro Tantalum Refinery", "BR", "BRAZIL", "tantalum", "Active", ("-22.41", "-47.56")),
    ("Hunan Xinhe Tungsten Works", "CN", "CHINA", "tungsten", "Conformant", ("25.77", "113.01")),
    ("Andes Gold Refinery S.A.", "PE", "PERU", "gold", "Non-conformant", ("-12.05", "-77.04")),
)
# A declared metal's answers unless a supplier below says otherwise.
DEFAULT_ANSWERS = {
    "1": "Yes",
    "2": "Yes",
    "3": "No",
    "4": "No",
    "5": "No",
    "6": "100%",
    "7": "Yes",
    "8": "Yes",
}
LABELS = {"tin": "Tin", "tantalum": "Tantalum", "tungsten": "Tungsten", "gold": "Gold"}


def _admin(slug: str) -> Membership:
    members = Membership.objects.select_related("user", "organisation").filter(
        organisation__slug=slug
    )
    officer: Membership = next(m for m in members.order_by("pk") if "compliance_officer" in m.roles)
    return officer


def _smelters(actor: Membership) -> None:
    for name, country, _text, metal, status, (lat, lon) in SMELTERS:
        if owned(Facility.objects.filter(name=name), actor).exists():
            continue
        facility = registry.create_facility(
            actor=actor,
            kind=FacilityKind.SMELTER,
            name=name,
            country=country,
            minerals=[metal],
            latitude=lat,
            longitude=lon,
            coordinate_precision="district",
            source="demo",
        )
        if status:
            registry.record_status(
                facility,
                scheme=AssuranceScheme.RMAP,
                status=status,
                effective_on=date(2025, 6, 1),
                source="demo: recorded by Brightline's compliance team",
                actor=actor,
            )


def _blank() -> bytes:
    """The cells of a CMRT 6.5 that say what it is; the rest is written by cell address."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Declaration"
    sheet["D2"] = "Conflict Minerals Reporting Template (CMRT)"
    sheet["J3"] = "Revision 6.5 April 25, 2025"
    workbook.create_sheet("Smelter List")
    workbook.create_sheet("Product List")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row(name: str, metal: str, country_text: str, **extra: str) -> dict[str, Any]:
    return {
        "metal_text": LABELS[metal],
        "lookup_name": "Smelter not listed",
        "smelter_name": name,
        "country_text": country_text,
        "recycled_scrap": "No",
        **extra,
    }


def _content(
    company: str, effective: date, declared: dict[str, dict[str, str]], rows: list[dict[str, str]]
) -> dict[str, Any]:
    answers = []
    for metal in CMRT_METALS:
        given = declared.get(metal)
        for question in "12345678":
            if given is None:
                answer = "No" if question == "1" else ""
            else:
                answer = given.get(question, DEFAULT_ANSWERS[question])
            answers.append(
                {"question": question, "mineral": metal, "answer": answer, "comment": ""}
            )
    company_answers = [
        {"question": letter, "mineral": "", "answer": answer, "comment": comment}
        for letter, answer, comment in (
            ("A", "Yes", ""),
            ("B", "Yes", f"https://{company.split()[0].lower()}.example/responsible-minerals"),
            ("C", "Yes", ""),
            ("D", "Yes", ""),
            ("E", "Yes, in conformance with IPC1755 (e.g., CMRT)", ""),
            ("F", "Yes", ""),
            ("G", "Yes", ""),
            ("H", "No", ""),
        )
    ]
    return {
        "family": "CMRT",
        "company": {
            "name": company,
            "scope_text": "A. Company",
            "unique_id": "",
            "address": "",
            "contact_name": "Demo Contact",
            "contact_email": "contact@supplier.example",
            "contact_phone": "+1 555 0100",
            "authorizer_name": "Demo Authoriser",
            "authorizer_title": "Head of Compliance",
            "authorizer_email": "authoriser@supplier.example",
            "authorizer_phone": "+1 555 0101",
            "effective_date": effective.isoformat(),
        },
        "minerals": list(CMRT_METALS),
        "other_minerals": [],
        "answers": answers,
        "company_answers": company_answers,
        "smelters": rows,
        "mines": [],
        "products": [],
        "scope_reasons": [],
    }


def _files(today: date) -> list[tuple[str, dict[str, Any], str]]:
    """(file name, content, decision) per demo supplier."""
    by_name = {s[0]: s for s in SMELTERS}

    def known(name: str) -> dict[str, Any]:
        _n, _c, text, metal, _s, _at = by_name[name]
        return _row(name, metal, text)

    return [
        (
            "PearlRiver_CMRT_6.5.xlsx",
            _content(
                "Pearl River Precision Components Co., Ltd.",
                today - timedelta(days=75),
                {"tin": {"6": "100%"}, "tantalum": {"6": "100%"}, "gold": {"6": "100%"}},
                [
                    known("Bangka West Tin Smelter"),
                    known("Setouchi Tin Refining Co., Ltd."),
                    known("Rio Claro Tantalum Refinery"),
                    known("Andes Gold Refinery S.A."),
                ],
            ),
            "accepted",
        ),
        (
            "Kestrel_Capacitors_CMRT.xlsx",
            _content(
                "Kestrel Capacitor Works Ltd.",
                today - timedelta(days=40),
                {
                    "tantalum": {"3": "Yes", "6": "Greater than 90%"},
                    "tungsten": {"6": "Greater than 90%", "7": "No"},
                },
                [
                    # Kestrel says its tantalum comes partly from the DRC (question 3: Yes),
                    # and names the country of the refinery's mines: a red flag location.
                    {
                        **known("Rio Claro Tantalum Refinery"),
                        "mine_names": "Artisanal coltan sites (demo)",
                        "mine_countries": "Democratic Republic of the Congo",
                    },
                    known("Hunan Xinhe Tungsten Works"),
                    {"metal_text": "Tungsten", "lookup_name": "Smelter not yet identified"},
                ],
            ),
            "accepted",
        ),
        (
            "Sierra_Solder_CMRT_2025.xlsx",
            _content(
                "Sierra Solder S.A. de C.V.",
                today - timedelta(days=12),
                {"tin": {"6": "Greater than 75%"}},
                [
                    known("Setouchi Tin Refining Co., Ltd."),
                    _row("Minas Gerais Tin Foundry", "tin", "BRAZIL"),
                ],
            ),
            "",
        ),
    ]


@demo_step("supplier declarations")
def build_declarations(say: Callable[[str], None]) -> None:
    actor = _admin("brightline")
    if owned(Declaration.objects.all(), actor).exists():
        say("demo declarations already present")
        return
    _smelters(actor)
    blank = _blank()
    today = timezone.now().date()
    for filename, content, decision in _files(today):
        data = write_into_blank(blank, filename, content)
        outcome = import_declaration(data, filename, actor=actor, today=today)
        if outcome.outcome != "imported" or outcome.declaration is None:
            raise RuntimeError(f"demo declaration {filename}: {outcome.message}")
        if decision:
            services.decide(
                outcome.declaration, status=decision, note="checked in the demo", actor=actor
            )
    # The first file sent once more as the web page sends files: an import batch with its job,
    # which the worker finds already imported and says so (the batch and job pages show it).
    filename, content, _decision = _files(today)[0]
    again = write_into_blank(blank, filename, content)
    start_import([(filename, again)], actor=actor, source="web")
    say("3 CMRTs received by Brightline Devices (2 accepted, 1 waiting; 1 smelter for review)")
