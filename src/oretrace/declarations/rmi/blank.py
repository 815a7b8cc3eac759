"""Whether a template read as a declaration is in fact still blank.

A blank template parses cleanly: it is a supported version with every sheet in place. Imported
as is, it became a declaration of "Unnamed supplier" full of missing-field errors. The import
refuses it instead, saying that it looks blank.

What "blank" means here was read off the sixteen official blanks and the six real declarations
in ../shared/data: a blank's company block identifies no company (no name, ID, address, contact,
authoriser or effective date; the scope may be pre-selected), and it has either no answer or no
row. Publishers' blanks carry a few preset answers (CMRT 6.31, CRT 2.21) or a stray Smelter List
row (CMRT 6.4), never both; a real declaration whose company block was left empty (the
anonymised one) still has answers and rows, and is imported with its missing fields reported.
"""

from __future__ import annotations

from oretrace.declarations.rmi.maps import COMPANY_ID_FIELDS
from oretrace.declarations.rmi.model import ParsedDeclaration

# Company fields that say who declares; the scope is not one (some blanks pre-select it).
IDENTITY_FIELDS = ("name", *COMPANY_ID_FIELDS, "effective_date_text")


def names_a_company(parsed: ParsedDeclaration) -> bool:
    """Whether any field of the company block says who declares."""
    return any(getattr(parsed.company, name) for name in IDENTITY_FIELDS)


def looks_blank(parsed: ParsedDeclaration) -> bool:
    """Whether ``parsed`` is a template nobody filled in (see the module's docstring)."""
    if names_a_company(parsed):
        return False
    answered = any(a.answer for a in (*parsed.answers, *parsed.company_answers))
    rows = bool(parsed.smelters or parsed.mines or parsed.products)
    return not (answered and rows)


def blank_message(parsed: ParsedDeclaration) -> str:
    """Why a blank is refused, naming the file, for the person who sent it."""
    return (
        f"{parsed.filename} looks like a blank template ({parsed.family} {parsed.version}): "
        "its company block names no company and it holds no declaration "
        "(no answers, or no smelter, mine or product rows). Fill it in, at least the "
        "company name, and send it again; a blank template to fill with your own roll-up "
        "goes to the roll-up page's export instead."
    )
