"""Where each canonical field lives, per template family and version (cell addresses).

Labels in a template are formulas that read back in the language chosen in the workbook, so
nothing here depends on label text: every field is found by its address. The same maps serve
the export, which writes a declaration back into a user's blank template: `company_cells`,
`answer_cells` and `smelter_cell` give the address of each canonical field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from oretrace.declarations.rmi.model import TemplateError

DECLARATION = "Declaration"
SMELTER_LIST = "Smelter List"
MINE_LIST = "Mine List"
PRODUCT_LIST = "Product List"
MINERALS_SCOPE = "Minerals Scope"

# The company block's rows below the scope, in order: they say who declares (the same fields in
# every template; ``blank`` reads them to tell a blank template).
COMPANY_ID_FIELDS = (
    "unique_id",
    "unique_id_authority",
    "address",
    "contact_name",
    "contact_email",
    "contact_phone",
    "authorizer_name",
    "authorizer_title",
    "authorizer_email",
    "authorizer_phone",
    "effective_date",
)


def _company(first_id_row: int) -> dict[str, str]:
    """Name, scope and description at D8-D10; the rest in order from ``first_id_row``."""
    cells = {"name": "D8", "scope_text": "D9", "scope_description": "D10"}
    for offset, name in enumerate(COMPANY_ID_FIELDS):
        cells[name] = f"D{first_id_row + offset}"
    return cells


@dataclass(frozen=True)
class Question:
    """A numbered question: its header row, and the rows below it that hold one answer each.

    ``minerals`` fixes which mineral each answer row is for (CMRT, EMRT 1.x, CRT); when it is
    empty the rows follow the minerals selected on the sheet (EMRT 2.x, AMRT), ``slots`` rows.
    """

    key: str
    header_row: int
    minerals: tuple[str, ...] = ()
    slots: int = 0
    percent: bool = False  # the answer list starts with "100%", stored as 1 in older versions

    def rows(self) -> range:
        count = len(self.minerals) or self.slots
        return range(self.header_row + 1, self.header_row + 1 + count)


@dataclass(frozen=True)
class TemplateMap:
    """Cell addresses of one template layout (shared by the versions in ``versions``)."""

    family: str
    versions: tuple[str, ...]
    company: dict[str, str]
    questions: tuple[Question, ...]
    company_questions: tuple[tuple[str, int], ...]  # (letter, row)
    per_mineral_company_questions: tuple[Question, ...] = ()  # EMRT question C
    mineral_slots: tuple[str, ...] = ()  # EMRT 2.x / AMRT "Select Minerals/Metals in Scope"
    other_mineral_cells: tuple[str, ...] = ()  # AMRT 1.3 "Other [specify below]" free text
    smelter_columns: dict[str, int] | None = None
    mine_columns: dict[str, int] | None = None
    product_columns: dict[str, int] | None = None
    answer_column: str = "D"
    comment_column: str = "G"
    first_smelter_row: int = 5
    first_mine_row: int = 5
    first_product_row: int = 6
    last_list_row: int = 2504
    # Answers meaning "not concerned": later questions are then not required.
    q1_negative: frozenset[str] = frozenset({"No"})
    q2_negative: frozenset[str] = frozenset({"No"})


def _columns(letters: str, names: tuple[str, ...]) -> dict[str, int]:
    return {name: ord(letter) - 65 for name, letter in zip(names, letters, strict=True)}


# The site and contact columns, in the same order on the Smelter List and the Mine List.
_SITE_FIELDS = (
    "street",
    "city",
    "state",
    "contact_name",
    "contact_email",
    "next_steps",
)
_SMELTER_FIELDS = (
    "id_input",
    "metal_text",
    "lookup_name",
    "smelter_name",
    "country_text",
    "smelter_id",
    "id_source",
    *_SITE_FIELDS,
    "mine_names",
    "mine_countries",
    "recycled_scrap",
    "comments",
)
SMELTER_COLUMNS = _columns("ABCDEFGHIJKLMNOPQ", _SMELTER_FIELDS)
# AMRT 1.2 has neither the ID input column nor the look-up column: the metal is in A.
AMRT_12_SMELTER_COLUMNS = _columns(
    "ABCDEFGHIJKLMNO",
    tuple(f for f in _SMELTER_FIELDS if f not in ("id_input", "lookup_name")),
)
MINE_COLUMNS = _columns(
    "ABCDEFGHIJKLM",
    (
        "metal_text",
        "smelter_name",
        "mine_name",
        "mine_id",
        "id_source",
        "country_text",
        *_SITE_FIELDS,
        "comments",
    ),
)
PRODUCT_COLUMNS = _columns("BCD", ("number", "name", "comments"))
PRODUCT_COLUMNS_REQUESTER = _columns(
    "BCDEF", ("number", "name", "requester_number", "requester_name", "comments")
)

CMRT_METALS = ("tantalum", "tin", "gold", "tungsten")

# What each numbered per-mineral question asks, per family (its key in the latest version); the
# checks flag answers by these meanings and the roll-up derives its answers by them.
QUESTION_ROLES = {
    "CMRT": {
        "1": "used",
        "2": "remains",
        "3": "covered",
        "4": "cahra",
        "5": "recycled",
        "6": "response",
        "7": "identified",
        "8": "reported",
    },
    "EMRT": {
        "1": "used",
        "2": "remains",
        "3": "cahra",
        "4": "recycled",
        "5": "response",
        "6": "identified",
        "7": "reported",
    },
    "CRT": {
        "1": "used",
        "2": "cahra",
        "3": "recycled",
        "4": "response",
        "5": "identified",
        "6": "reported",
    },
    "AMRT": {"1": "used", "2": "response"},
}
_EMRT1 = ("cobalt", "mica")
_NOT_CONCERNED_EMRT = frozenset(
    {"No", "Unknown", "Not declaring", "Not applicable for this declaration"}
)


def _fixed_questions(
    first: int, count: int, minerals: tuple[str, ...], percent: str, step: int = 6
) -> tuple[Question, ...]:
    return tuple(
        Question(str(n + 1), first + step * n, minerals, percent=str(n + 1) == percent)
        for n in range(count)
    )


def _slot_questions(first: int, count: int, percent: str, step: int = 12) -> tuple[Question, ...]:
    return tuple(
        Question(str(n + 1), first + step * n, slots=10, percent=str(n + 1) == percent)
        for n in range(count)
    )


CMRT_6 = TemplateMap(
    family="CMRT",
    versions=("6.0", "6.01", "6.1", "6.2", "6.21", "6.22", "6.3", "6.31", "6.4", "6.5"),
    company=_company(12),
    questions=_fixed_questions(25, 8, CMRT_METALS, percent="6"),
    company_questions=tuple(zip("ABCDEFGH", range(75, 90, 2), strict=True)),
    smelter_columns=SMELTER_COLUMNS,
    product_columns=PRODUCT_COLUMNS,
)
_emrt1_questions = list(_fixed_questions(25, 7, _EMRT1, percent="5"))
_emrt1_questions[3] = Question("4", 43, ("cobalt",))  # the recycled question is cobalt-only
EMRT_1 = TemplateMap(
    family="EMRT",
    versions=("1.1", "1.11", "1.2", "1.3"),
    company=_company(12),
    questions=tuple(_emrt1_questions),
    company_questions=(("A", 69), ("B", 71), ("D", 77), ("E", 79), ("F", 81), ("G", 83)),
    per_mineral_company_questions=(Question("C", 73, _EMRT1),),
    smelter_columns=SMELTER_COLUMNS,
    product_columns=PRODUCT_COLUMNS,
    last_list_row=2497,
    q1_negative=_NOT_CONCERNED_EMRT,
    q2_negative=frozenset({"No", "Unknown"}),
)
_EMRT2_SLOTS = ("D12", "E12", "G12", "D13", "E13", "G13")
EMRT_2 = TemplateMap(
    family="EMRT",
    versions=("2.0",),
    company=_company(16),
    questions=_slot_questions(29, 7, percent="5"),
    company_questions=(("A", 115), ("B", 117), ("D", 131), ("E", 133), ("F", 135), ("G", 137)),
    per_mineral_company_questions=(Question("C", 119, slots=10),),
    mineral_slots=_EMRT2_SLOTS,
    smelter_columns=SMELTER_COLUMNS,
    mine_columns=MINE_COLUMNS,
    product_columns=PRODUCT_COLUMNS,
    last_list_row=2497,
    q1_negative=_NOT_CONCERNED_EMRT,
    q2_negative=frozenset({"No", "Unknown"}),
)
EMRT_21 = replace(EMRT_2, versions=("2.1",), product_columns=PRODUCT_COLUMNS_REQUESTER)
_AMRT_SLOTS = ("D12", "E12", "G12", "H12", "I12", "D13", "E13", "G13", "H13", "I13")
AMRT_12 = TemplateMap(
    family="AMRT",
    versions=("1.2", "1.21"),
    company=_company(14),
    questions=_slot_questions(27, 2, percent="2"),
    company_questions=(),
    mineral_slots=_AMRT_SLOTS,
    smelter_columns=AMRT_12_SMELTER_COLUMNS,
    mine_columns=MINE_COLUMNS,
    product_columns=PRODUCT_COLUMNS,
    q1_negative=_NOT_CONCERNED_EMRT,
)
# AMRT 1.3: the company block three rows lower, a free-text "other minerals" grid, the Smelter
# List of the other templates and the requester's product columns.
AMRT_13 = replace(
    AMRT_12,
    versions=("1.3",),
    company=_company(17),
    questions=_slot_questions(30, 2, percent="2"),
    other_mineral_cells=("D15", "E15", "G15", "H15", "I15", "D16", "E16", "G16", "H16", "I16"),
    smelter_columns=SMELTER_COLUMNS,
    product_columns=PRODUCT_COLUMNS_REQUESTER,
)
# CRT 2.2: the CMRT's layout with cobalt's six questions and nine company questions.
CRT_2 = replace(
    CMRT_6,
    family="CRT",
    versions=("2.2", "2.21"),
    questions=_fixed_questions(25, 6, ("cobalt",), percent="4"),
    company_questions=tuple(zip("ABCDEFGHI", range(63, 80, 2), strict=True)),
)

MAPS = (CMRT_6, EMRT_1, EMRT_2, EMRT_21, AMRT_12, AMRT_13, CRT_2)
SUPPORTED = {
    "CMRT": "6.01-6.5",
    "EMRT": "1.1-2.1",
    "AMRT": "1.2-1.3",
    "CRT": "2.2-2.21",
}


def version_number(version: str) -> Decimal:
    """RMI versions are decimals: 6.01 < 6.1 < 6.22 < 6.3."""
    try:
        return Decimal(version)
    except ArithmeticError:
        return Decimal(0)


def map_for(family: str, version: str, filename: str) -> tuple[TemplateMap, bool]:
    """The layout for a family and version, and whether the version is a newer, unknown one.

    A newer minor version of the newest known major layout is read with that layout (the
    caller warns); anything older or of another layout is refused.
    """
    for template_map in MAPS:
        if template_map.family == family and version in template_map.versions:
            return template_map, False
    known = [m for m in MAPS if m.family == family]
    newest = max(known, key=lambda m: version_number(m.versions[-1]))
    number = version_number(version)
    newest_number = version_number(newest.versions[-1])
    if number > newest_number and int(number) == int(newest_number):
        return newest, True
    raise TemplateError(
        "unsupported-version",
        f"{filename}: {family} version {version or '(none found)'} is not supported; "
        f"oretrace reads {family} {SUPPORTED[family]}. Ask the supplier to fill in a current "
        "template from the RMI website",
    )


def company_cells(template_map: TemplateMap) -> dict[str, str]:
    """Canonical company field → cell on the Declaration sheet."""
    return dict(template_map.company)


def answer_cells(
    template_map: TemplateMap, minerals: tuple[str, ...]
) -> dict[tuple[str, str], tuple[str, str]]:
    """(question, mineral or "") → (answer cell, comment cell) on the Declaration sheet.

    ``minerals`` is the order of the answer rows for templates whose rows follow the selected
    minerals (see `mineral_rows`); it is ignored for templates with fixed rows.
    """
    cells: dict[tuple[str, str], tuple[str, str]] = {}
    answer, comment = template_map.answer_column, template_map.comment_column
    for question in template_map.questions + template_map.per_mineral_company_questions:
        order = question.minerals or minerals
        for mineral, row in zip(order, question.rows(), strict=False):
            cells[(question.key, mineral)] = (f"{answer}{row}", f"{comment}{row}")
    for letter, row in template_map.company_questions:
        cells[(letter, "")] = (f"{answer}{row}", f"{comment}{row}")
    return cells


def smelter_cell(template_map: TemplateMap, field: str, index: int) -> str:
    """Cell of a Smelter List field for the ``index``-th row (0-based) of the list."""
    columns = template_map.smelter_columns or SMELTER_COLUMNS
    return f"{chr(65 + columns[field])}{template_map.first_smelter_row + index}"
