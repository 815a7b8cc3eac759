"""The canonical declaration every template version is read into.

Every value is what the supplier entered, with stray whitespace removed; codes (minerals,
countries) sit beside the text they came from so nothing the supplier wrote is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

FAMILIES = ("CMRT", "EMRT", "AMRT", "CRT")


class TemplateError(ValueError):
    """The file cannot be read as a supported RMI template at all.

    ``code`` says why, for programs: ``not-a-workbook``, ``encrypted``, ``not-a-template``,
    ``unsupported-version``. The message names the file and the reason, for people.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the message catalogues; it stays English here (no Django in this
    package). The web translates an issue's ``template`` when it shows it."""
    return message


@dataclass(frozen=True)
class Issue:
    """One problem found in a declaration, with the sheet and cell it is about.

    ``message`` is English, for logs, the API and the CLI. ``template`` (a catalogue msgid with
    ``%(name)s`` placeholders) and ``params`` let the web show the issue in the reader's
    language; ``params`` hold codes (a mineral's code, not its name) so they translate too.
    """

    code: str
    message: str
    sheet: str = ""
    cell: str = ""
    template: str = field(default="", compare=False)
    params: Mapping[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def of(
        cls, code: str, template: str, sheet: str = "", cell: str = "", **params: object
    ) -> Issue:
        """An issue whose English message is ``template`` filled with ``params``."""
        values = {name: str(value) for name, value in params.items()}
        return cls(code, template % values, sheet, cell, template, values)

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Company:
    """The company block at the top of the Declaration sheet."""

    name: str = ""
    scope: str = ""  # "A", "B" or "C"; "" when not answered
    scope_text: str = ""  # the answer as written, e.g. "B. Product (or List of Products)"
    scope_description: str = ""
    unique_id: str = ""
    unique_id_authority: str = ""
    address: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    authorizer_name: str = ""
    authorizer_title: str = ""
    authorizer_email: str = ""
    authorizer_phone: str = ""
    effective_date: date | None = None
    effective_date_text: str = ""  # as written, when it was text or could not be read


# Company fields that name or reach a person: kept for the compliance team, never published.
PERSONAL_COMPANY_FIELDS = frozenset(
    {
        "contact_name",
        "contact_email",
        "contact_phone",
        "authorizer_name",
        "authorizer_email",
        "authorizer_phone",
    }
)


@dataclass(frozen=True)
class Answer:
    """The answer to one declaration question, for one mineral or for the whole company.

    ``question`` is the template's own label: ``"1"``…``"8"`` for the numbered questions,
    ``"A"``…``"I"`` for the company-level ones. ``mineral`` is a mineral code (``"tin"``), or
    ``""`` for a company-level answer; a mineral oretrace does not know keeps its text.
    """

    question: str
    mineral: str
    answer: str
    comment: str
    cell: str  # the answer cell on the Declaration sheet


@dataclass(frozen=True, kw_only=True)
class _SiteColumns:
    """The columns a Smelter List row and a Mine List row share after their identifiers: where
    the site is, whom to contact there (personal data), and the declarer's next steps."""

    street: str = ""
    city: str = ""
    state: str = ""
    contact_name: str = ""
    contact_email: str = ""
    next_steps: str = ""

    PERSONAL_FIELDS = ("contact_name", "contact_email")


@dataclass(frozen=True)
class SmelterRow(_SiteColumns):
    """One row of the Smelter List. ``contact_name``/``contact_email`` are personal data."""

    row: int  # 1-based sheet row
    metal: str  # mineral code, "" when not recognised
    metal_text: str
    lookup_name: str  # "Smelter Look-up" column: an alias, "Smelter not listed", …
    smelter_name: str
    country_text: str
    country: str  # ISO 3166-1 alpha-2, "" when not recognised
    id_input: str  # the "Smelter Identification Number Input Column"
    smelter_id: str
    id_source: str
    mine_names: str = ""
    mine_countries: str = ""
    recycled_scrap: str = ""  # "Yes" / "No" / "Unknown" / ""
    comments: str = ""

    @property
    def not_listed(self) -> bool:
        return self.lookup_name.casefold() == "smelter not listed"

    @property
    def not_identified(self) -> bool:
        return self.lookup_name.casefold() == "smelter not yet identified"


@dataclass(frozen=True)
class MineRow(_SiteColumns):
    """One row of the Mine List (EMRT 2.x, AMRT). ``contact_*`` are personal data."""

    row: int
    metal: str
    metal_text: str
    smelter_name: str
    mine_name: str
    mine_id: str
    id_source: str
    country_text: str
    country: str
    comments: str = ""


@dataclass(frozen=True)
class ProductRow:
    """One row of the Product List."""

    row: int
    number: str
    name: str = ""
    requester_number: str = ""
    requester_name: str = ""
    comments: str = ""


@dataclass(frozen=True)
class ScopeReason:
    """One row of the AMRT Minerals Scope sheet: a mineral the requester asks about, and why."""

    row: int
    mineral: str
    mineral_text: str
    reason: str


@dataclass
class ParsedDeclaration:
    """One supplier declaration as read from a template, with what the checks found.

    The parts are immutable; ``errors`` and ``warnings`` are lists so that later checks (the
    registry's QC flags) can add to them.
    """

    family: str
    version: str
    filename: str
    language: str
    company: Company
    minerals: tuple[str, ...]  # minerals the declaration covers: fixed (CMRT) or selected
    other_minerals: tuple[str, ...]  # selections oretrace has no code for, as written
    answers: tuple[Answer, ...]
    company_answers: tuple[Answer, ...]
    smelters: tuple[SmelterRow, ...]
    mines: tuple[MineRow, ...] = ()
    products: tuple[ProductRow, ...] = ()
    scope_reasons: tuple[ScopeReason, ...] = ()
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def _find(self, question: str, mineral: str) -> Answer | None:
        pool = self.company_answers if not mineral else self.answers
        return next((a for a in pool if a.question == question and a.mineral == mineral), None)

    def answer(self, question: str, mineral: str = "") -> str:
        """The answer to a question for a mineral (or the company), ``""`` when blank."""
        found = self._find(question, mineral)
        return found.answer if found else ""

    def comment(self, question: str, mineral: str = "") -> str:
        """The comment beside that answer, ``""`` when blank."""
        found = self._find(question, mineral)
        return found.comment if found else ""

    def smelters_for(self, metal: str) -> tuple[SmelterRow, ...]:
        """Rows for a mineral code, or for a mineral oretrace has no code for (by its text)."""
        if metal in self.other_minerals:
            folded = metal.casefold()
            return tuple(
                s for s in self.smelters if not s.metal and s.metal_text.casefold() == folded
            )
        return tuple(s for s in self.smelters if s.metal == metal)

    def duplicate_smelters(self) -> list[tuple[SmelterRow, ...]]:
        """Groups of rows naming the same metal and smelter (by ID, else by name and country)."""
        groups: dict[tuple[str, ...], list[SmelterRow]] = {}
        for row in self.smelters:
            key = (
                (row.metal, row.smelter_id)
                if row.smelter_id
                else (row.metal, (row.smelter_name or row.lookup_name).casefold(), row.country)
            )
            if row.smelter_id or (key[1] and not row.not_identified):
                groups.setdefault(key, []).append(row)
        return [tuple(rows) for rows in groups.values() if len(rows) > 1]
