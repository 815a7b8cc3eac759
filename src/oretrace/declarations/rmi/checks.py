"""The template's own Checker rules (errors) and its instructions' rules (warnings).

The Checker sheet of each template marks required fields that are still empty; those rules are
reproduced here as errors, so that a declaration oretrace accepts would also pass the
template's own check. Rules that the instructions state but the Checker does not enforce, and
the plain red flags a reviewer looks for first, are warnings. Every issue names its sheet and
cell. The registry-dependent flags (smelter unknown or not conformant) come with matching.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from oretrace.declarations.rmi.maps import (
    DECLARATION,
    PRODUCT_LIST,
    QUESTION_ROLES,
    SMELTER_LIST,
    TemplateMap,
    smelter_cell,
)
from oretrace.declarations.rmi.model import Issue, ParsedDeclaration
from oretrace.declarations.rmi.values import mineral_label

_MANDATORY = {
    "name": "Company Name",
    "scope_text": "Declaration Scope or Class",
    "contact_name": "Contact Name",
    "contact_email": "Email - Contact",
    "contact_phone": "Phone - Contact",
    "authorizer_name": "Authorizer",
    "authorizer_email": "Email - Authorizer",
    "effective_date": "Effective Date",
}
# Questions past which the later ones are asked only when the answers allow (the "gates").
_GATES = {"CMRT": 2, "EMRT": 2, "AMRT": 1, "CRT": 1}
# The numbered questions that carry a review meaning, per family: meaning → question.
_REVIEWED = ("covered", "cahra", "recycled", "identified")
_MEANING = {
    family: {role: question for question, role in roles.items() if role in _REVIEWED}
    for family, roles in QUESTION_ROLES.items()
}
# Every answer any template version offers in its lists (they are English in every language).
ANSWERS = frozenset(
    {
        "Yes",
        "No",
        "Unknown",
        "Not declaring",
        "Not applicable for this declaration",
        "DRC only",
        "India and/or Madagascar only",
        "DRC or adjoining countries only",
        "100%",
        "Greater than 90%",
        "Greater than 75%",
        "Greater than 50%",
        "50% or less",
        "None",
        "Did not survey",
        "Yes, in conformance with IPC1755 (e.g., CMRT)",
        "Yes, in conformance with IPC1755 (e.g. EMRT)",
        "Yes, in conformance with IPC1755 (e.g. CRT)",
        "Yes, using other format (describe)",
        "Yes, Using Other Format (Describe)",
        "Yes, CRT",
        "Yes, with the SEC",
        "Yes, with the EU",
        "Yes, with the SEC and the EU",
        "Yes, cobalt only",
        "Yes, natural mica only",
        "Yes, both cobalt and natural mica",
        "Yes, when more processors are validated",
    }
)
_ANSWERS_FOLDED = frozenset(a.casefold() for a in ANSWERS)
_SAME = frozenset({"same", "same as above", "same as contact", "ditto", "同上", "同左"})


def check(
    declaration: ParsedDeclaration, template_map: TemplateMap, *, today: date | None = None
) -> None:
    """Append the Checker errors and the instruction warnings to ``declaration``."""
    today = today or datetime.now(UTC).date()
    _company_rules(declaration, template_map, today)
    in_scope = _answer_rules(declaration, template_map)
    _list_rules(declaration, template_map, in_scope)
    _review_flags(declaration, in_scope)


def in_scope_minerals(declaration: ParsedDeclaration) -> list[str]:
    """Minerals whose later questions are required: not ruled out by the gate questions."""
    gates = [str(n) for n in range(1, _GATES[declaration.family] + 1)]
    result: list[str] = []
    for mineral in (*declaration.minerals, *declaration.other_minerals):
        answers = [declaration.answer(q, mineral) for q in gates]
        if answers[0] and not _negative(declaration, answers):
            result.append(mineral)
    return result


def _negative(declaration: ParsedDeclaration, answers: list[str]) -> bool:
    if declaration.family == "CMRT" or declaration.family == "CRT":
        return any(a == "No" for a in answers)
    first = answers[0] in {"No", "Unknown", "Not declaring", "Not applicable for this declaration"}
    second = len(answers) > 1 and answers[1] in {"No", "Unknown"}
    return first or second


def _company_rules(declaration: ParsedDeclaration, template_map: TemplateMap, today: date) -> None:
    company, cells, errors = declaration.company, template_map.company, declaration.errors
    for name, label in _MANDATORY.items():
        value = getattr(company, name)
        if name == "effective_date" and value is None and company.effective_date_text:
            continue  # reported as unreadable already
        if not value:
            errors.append(Issue("missing-field", f"{label} is required", DECLARATION, cells[name]))
        elif name.endswith("_email") and "@" not in value:
            errors.append(
                Issue(
                    "email-invalid",
                    f"{label} '{value}' is not an e-mail address (it has no '@')",
                    DECLARATION,
                    cells[name],
                )
            )
    if company.scope_text and not company.scope:
        errors.append(
            Issue(
                "scope-invalid",
                f"the declaration scope '{company.scope_text}' is not one of A. Company, "
                "B. Product (or List of Products), C. User defined",
                DECLARATION,
                cells["scope_text"],
            )
        )
    if company.scope == "C" and not company.scope_description:
        errors.append(
            Issue(
                "missing-field",
                "Description of Scope is required when the scope is C. User defined",
                DECLARATION,
                cells["scope_description"],
            )
        )
    warnings = declaration.warnings
    if company.authorizer_name.casefold().rstrip(".") in _SAME:
        warnings.append(
            Issue(
                "authorizer-same",
                f"the authorizer must be named, not '{company.authorizer_name}'",
                DECLARATION,
                cells["authorizer_name"],
            )
        )
    for name, address in cells.items():
        value = getattr(company, name) if name != "effective_date" else ""
        if isinstance(value, str) and value[:1] in {"=", "#"}:
            warnings.append(
                Issue(
                    "starts-with-formula-sign",
                    "entries must not start with '=' or '#'",
                    DECLARATION,
                    address,
                )
            )
    _date_rules(declaration, cells["effective_date"], today)


def _date_rules(declaration: ParsedDeclaration, cell: str, today: date) -> None:
    effective = declaration.company.effective_date
    if effective is None:
        return
    if effective <= date(2006, 12, 31):
        declaration.errors.append(
            Issue(
                "date-invalid",
                f"the effective date {effective:%d-%b-%Y} is before 2007, which the template "
                "does not accept",
                DECLARATION,
                cell,
            )
        )
    elif effective > today:
        declaration.warnings.append(
            Issue(
                "date-future",
                f"the effective date {effective:%d-%b-%Y} is in the future",
                DECLARATION,
                cell,
            )
        )
    elif effective < today - timedelta(days=365):
        declaration.warnings.append(
            Issue(
                "date-old",
                f"the effective date {effective:%d-%b-%Y} is more than a year old",
                DECLARATION,
                cell,
            )
        )


def _answer_rules(declaration: ParsedDeclaration, template_map: TemplateMap) -> list[str]:
    errors, gates = declaration.errors, _GATES[declaration.family]
    in_scope = in_scope_minerals(declaration)
    for item in declaration.answers:
        label = mineral_label(item.mineral)
        number = int(item.question) if item.question.isdigit() else 99
        if item.answer and item.answer.casefold() not in _ANSWERS_FOLDED:
            declaration.warnings.append(
                Issue(
                    "answer-not-in-list",
                    f"question {item.question} ({label}): '{item.answer}' is not one of the "
                    "template's answers (answers must be chosen from the list, in English)",
                    DECLARATION,
                    item.cell,
                )
            )
        if item.answer:
            continue
        required = (
            number == 1
            or (number <= gates and _earlier_allows(declaration, item.mineral, number))
            or item.mineral in in_scope
        )
        if required:
            errors.append(
                Issue(
                    "missing-answer",
                    f"question {item.question} is required for {label}",
                    DECLARATION,
                    item.cell,
                )
            )
    if in_scope:
        for item in declaration.company_answers:
            if not item.answer:
                errors.append(
                    Issue(
                        "missing-answer",
                        f"company question {item.question} is required",
                        DECLARATION,
                        item.cell,
                    )
                )
            elif item.question == "B" and item.answer == "Yes" and len(item.comment) <= 1:
                column = template_map.comment_column
                errors.append(
                    Issue(
                        "policy-url-missing",
                        "question B is answered Yes: give the policy's URL in the comment",
                        DECLARATION,
                        column + item.cell[1:],
                    )
                )
    return in_scope


def _earlier_allows(declaration: ParsedDeclaration, mineral: str, number: int) -> bool:
    earlier = [declaration.answer(str(n), mineral) for n in range(1, number)]
    return bool(earlier[0]) and not _negative(declaration, earlier)


def _list_rules(
    declaration: ParsedDeclaration, template_map: TemplateMap, in_scope: list[str]
) -> None:
    errors = declaration.errors
    if declaration.company.scope == "B" and not any(p.number for p in declaration.products):
        errors.append(
            Issue(
                "products-missing",
                "the scope is B. Product (or List of Products): list at least one responder's "
                "product number",
                PRODUCT_LIST,
                f"B{template_map.first_product_row}",
            )
        )
    has_lookup = "lookup_name" in (template_map.smelter_columns or {})
    metal_column = smelter_cell(template_map, "metal_text", 0)[0]
    for mineral in in_scope:
        rows = [
            s
            for s in declaration.smelters_for(mineral)
            if (s.lookup_name if has_lookup else s.smelter_name)
        ]
        if not rows:
            errors.append(
                Issue(
                    "no-smelters",
                    f"{mineral_label(mineral)} is declared (question 1 and 2) but the Smelter "
                    "List has no row for it",
                    SMELTER_LIST,
                    f"{metal_column}{template_map.first_smelter_row}:"
                    f"{metal_column}{template_map.last_list_row}",
                )
            )
    for row in declaration.smelters:
        for name in ("smelter_name", "country_text"):
            if (row.not_listed or not has_lookup) and not getattr(row, name):
                errors.append(
                    Issue(
                        "smelter-incomplete",
                        f"row {row.row}: a smelter that is not listed needs its "
                        f"{'name' if name == 'smelter_name' else 'country'}",
                        SMELTER_LIST,
                        smelter_cell(template_map, name, row.row - template_map.first_smelter_row),
                    )
                )


def _review_flags(declaration: ParsedDeclaration, in_scope: list[str]) -> None:
    warnings = declaration.warnings
    meaning = _MEANING[declaration.family]
    for mineral in in_scope:
        label = mineral_label(mineral)
        for key, what in (
            ("covered", "sources from the covered countries (DRC and adjoining)"),
            ("cahra", "sources from conflict-affected and high-risk areas"),
        ):
            question = meaning.get(key)
            if question and declaration.answer(question, mineral).startswith(("Yes", "DRC")):
                warnings.append(
                    Issue(
                        f"{key}-sourcing",
                        f"{label}: question {question} says a smelter {what}",
                        DECLARATION,
                        _cell_of(declaration, question, mineral),
                    )
                )
        smelters = declaration.smelters_for(mineral)
        recycled = meaning.get("recycled")
        if recycled and declaration.answer(recycled, mineral) == "Yes":
            for row in smelters:
                if row.recycled_scrap == "No":
                    warnings.append(
                        Issue(
                            "recycled-inconsistent",
                            f"{label} is declared 100% recycled or scrap (question {recycled}) "
                            f"but row {row.row}'s smelter is not fed only by recycled material",
                            SMELTER_LIST,
                            f"P{row.row}",
                        )
                    )
        identified = meaning.get("identified")
        if identified and declaration.answer(identified, mineral) == "Yes":
            for row in smelters:
                if row.not_identified:
                    warnings.append(
                        Issue(
                            "identified-inconsistent",
                            f"all {label} smelters are declared identified (question "
                            f"{identified}) but row {row.row} says 'Smelter not yet identified'",
                            SMELTER_LIST,
                            f"C{row.row}",
                        )
                    )
    _smelter_flags(declaration, set(in_scope))


def _smelter_flags(declaration: ParsedDeclaration, in_scope: set[str]) -> None:
    warnings = declaration.warnings
    for row in declaration.smelters:
        if row.not_identified:
            warnings.append(
                Issue(
                    "smelter-not-identified",
                    f"row {row.row}: smelter not yet identified",
                    SMELTER_LIST,
                    f"C{row.row}",
                )
            )
        if not row.metal:
            warnings.append(
                Issue(
                    "metal-unknown",
                    f"row {row.row}: '{row.metal_text}' is not a metal of this template",
                    SMELTER_LIST,
                    f"B{row.row}",
                )
            )
        elif row.metal not in in_scope:
            warnings.append(
                Issue(
                    "metal-not-declared",
                    f"row {row.row}: {mineral_label(row.metal)} is listed but not declared "
                    "in questions 1 and 2",
                    SMELTER_LIST,
                    f"B{row.row}",
                )
            )
    for group in declaration.duplicate_smelters():
        first = group[0]
        for row in group[1:]:
            warnings.append(
                Issue(
                    "duplicate-smelter",
                    f"row {row.row} repeats row {first.row} "
                    f"({mineral_label(row.metal)}, {row.smelter_id or row.smelter_name})",
                    SMELTER_LIST,
                    f"A{row.row}",
                )
            )


def _cell_of(declaration: ParsedDeclaration, question: str, mineral: str) -> str:
    for item in declaration.answers:
        if item.question == question and item.mineral == mineral:
            return item.cell
    return ""
