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
from oretrace.declarations.rmi.model import Issue, ParsedDeclaration, gettext_noop
from oretrace.declarations.rmi.values import mineral_label

# The template's own labels (English in every language of the template), translated on screen.
_MANDATORY = {
    "name": gettext_noop("Company Name"),
    "scope_text": gettext_noop("Declaration Scope or Class"),
    "contact_name": gettext_noop("Contact Name"),
    "contact_email": gettext_noop("Email - Contact"),
    "contact_phone": gettext_noop("Phone - Contact"),
    "authorizer_name": gettext_noop("Authorizer"),
    "authorizer_email": gettext_noop("Email - Authorizer"),
    "effective_date": gettext_noop("Effective Date"),
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


def _issue(code: str, template: str, sheet: str, cell: str = "", **params: str) -> Issue:
    """An issue whose ``mineral`` parameter is a code, named by the template in English."""
    english = {k: mineral_label(v) if k == "mineral" else v for k, v in params.items()}
    return Issue(code, template % english, sheet, cell, template, params)


def _company_rules(declaration: ParsedDeclaration, template_map: TemplateMap, today: date) -> None:
    company, cells, errors = declaration.company, template_map.company, declaration.errors
    for name, label in _MANDATORY.items():
        value = getattr(company, name)
        if name == "effective_date" and value is None and company.effective_date_text:
            continue  # reported as unreadable already
        if not value:
            errors.append(
                _issue(
                    "missing-field",
                    gettext_noop("%(field)s is required"),
                    DECLARATION,
                    cells[name],
                    field=label,
                )
            )
        elif name.endswith("_email") and "@" not in value:
            errors.append(
                _issue(
                    "email-invalid",
                    gettext_noop("%(field)s '%(value)s' is not an e-mail address (it has no '@')"),
                    DECLARATION,
                    cells[name],
                    field=label,
                    value=value,
                )
            )
    if company.scope_text and not company.scope:
        errors.append(
            _issue(
                "scope-invalid",
                gettext_noop(
                    "the declaration scope '%(value)s' is not one of A. Company, "
                    "B. Product (or List of Products), C. User defined"
                ),
                DECLARATION,
                cells["scope_text"],
                value=company.scope_text,
            )
        )
    if company.scope == "C" and not company.scope_description:
        errors.append(
            _issue(
                "missing-field",
                gettext_noop("Description of Scope is required when the scope is C. User defined"),
                DECLARATION,
                cells["scope_description"],
            )
        )
    warnings = declaration.warnings
    if company.authorizer_name.casefold().rstrip(".") in _SAME:
        warnings.append(
            _issue(
                "authorizer-same",
                gettext_noop("the authorizer must be named, not '%(value)s'"),
                DECLARATION,
                cells["authorizer_name"],
                value=company.authorizer_name,
            )
        )
    for name, address in cells.items():
        value = getattr(company, name) if name != "effective_date" else ""
        if isinstance(value, str) and value[:1] in {"=", "#"}:
            warnings.append(
                _issue(
                    "starts-with-formula-sign",
                    gettext_noop("entries must not start with '=' or '#'"),
                    DECLARATION,
                    address,
                )
            )
    _date_rules(declaration, cells["effective_date"], today)


def _date_rules(declaration: ParsedDeclaration, cell: str, today: date) -> None:
    effective = declaration.company.effective_date
    if effective is None:
        return
    shown = f"{effective:%d-%b-%Y}"
    if effective <= date(2006, 12, 31):
        declaration.errors.append(
            _issue(
                "date-invalid",
                gettext_noop(
                    "the effective date %(date)s is before 2007, which the template does not accept"
                ),
                DECLARATION,
                cell,
                date=shown,
            )
        )
    elif effective > today:
        declaration.warnings.append(
            _issue(
                "date-future",
                gettext_noop("the effective date %(date)s is in the future"),
                DECLARATION,
                cell,
                date=shown,
            )
        )
    elif effective < today - timedelta(days=365):
        declaration.warnings.append(
            _issue(
                "date-old",
                gettext_noop("the effective date %(date)s is more than a year old"),
                DECLARATION,
                cell,
                date=shown,
            )
        )


def _answer_rules(declaration: ParsedDeclaration, template_map: TemplateMap) -> list[str]:
    errors, gates = declaration.errors, _GATES[declaration.family]
    in_scope = in_scope_minerals(declaration)
    for item in declaration.answers:
        number = int(item.question) if item.question.isdigit() else 99
        if item.answer and item.answer.casefold() not in _ANSWERS_FOLDED:
            declaration.warnings.append(
                _issue(
                    "answer-not-in-list",
                    gettext_noop(
                        "question %(question)s (%(mineral)s): '%(value)s' is not one of the "
                        "template's answers (answers must be chosen from the list, in English)"
                    ),
                    DECLARATION,
                    item.cell,
                    question=item.question,
                    mineral=item.mineral,
                    value=item.answer,
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
                _issue(
                    "missing-answer",
                    gettext_noop("question %(question)s is required for %(mineral)s"),
                    DECLARATION,
                    item.cell,
                    question=item.question,
                    mineral=item.mineral,
                )
            )
    if in_scope:
        for item in declaration.company_answers:
            if not item.answer:
                errors.append(
                    _issue(
                        "missing-answer",
                        gettext_noop("company question %(question)s is required"),
                        DECLARATION,
                        item.cell,
                        question=item.question,
                    )
                )
            elif item.question == "B" and item.answer == "Yes" and len(item.comment) <= 1:
                column = template_map.comment_column
                errors.append(
                    _issue(
                        "policy-url-missing",
                        gettext_noop(
                            "question B is answered Yes: give the policy's URL in the comment"
                        ),
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
            _issue(
                "products-missing",
                gettext_noop(
                    "the scope is B. Product (or List of Products): list at least one "
                    "responder's product number"
                ),
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
                _issue(
                    "no-smelters",
                    gettext_noop(
                        "%(mineral)s is declared (question 1 and 2) but the Smelter List has no "
                        "row for it"
                    ),
                    SMELTER_LIST,
                    f"{metal_column}{template_map.first_smelter_row}:"
                    f"{metal_column}{template_map.last_list_row}",
                    mineral=mineral,
                )
            )
    for row in declaration.smelters:
        for name in ("smelter_name", "country_text"):
            if (row.not_listed or not has_lookup) and not getattr(row, name):
                errors.append(
                    _issue(
                        "smelter-incomplete",
                        gettext_noop("row %(row)s: a smelter that is not listed needs its name")
                        if name == "smelter_name"
                        else gettext_noop(
                            "row %(row)s: a smelter that is not listed needs its country"
                        ),
                        SMELTER_LIST,
                        smelter_cell(template_map, name, row.row - template_map.first_smelter_row),
                        row=str(row.row),
                    )
                )


def _review_flags(declaration: ParsedDeclaration, in_scope: list[str]) -> None:
    warnings = declaration.warnings
    meaning = _MEANING[declaration.family]
    for mineral in in_scope:
        for key, template in (
            (
                "covered",
                gettext_noop(
                    "%(mineral)s: question %(question)s says a smelter sources from the covered "
                    "countries (DRC and adjoining)"
                ),
            ),
            (
                "cahra",
                gettext_noop(
                    "%(mineral)s: question %(question)s says a smelter sources from "
                    "conflict-affected and high-risk areas"
                ),
            ),
        ):
            question = meaning.get(key)
            if question and declaration.answer(question, mineral).startswith(("Yes", "DRC")):
                warnings.append(
                    _issue(
                        f"{key}-sourcing",
                        template,
                        DECLARATION,
                        _cell_of(declaration, question, mineral),
                        mineral=mineral,
                        question=question,
                    )
                )
        smelters = declaration.smelters_for(mineral)
        recycled = meaning.get("recycled")
        if recycled and declaration.answer(recycled, mineral) == "Yes":
            for row in smelters:
                if row.recycled_scrap == "No":
                    warnings.append(
                        _issue(
                            "recycled-inconsistent",
                            gettext_noop(
                                "%(mineral)s is declared 100%% recycled or scrap (question "
                                "%(question)s) but row %(row)s's smelter is not fed only by "
                                "recycled material"
                            ),
                            SMELTER_LIST,
                            f"P{row.row}",
                            mineral=mineral,
                            question=recycled,
                            row=str(row.row),
                        )
                    )
        identified = meaning.get("identified")
        if identified and declaration.answer(identified, mineral) == "Yes":
            for row in smelters:
                if row.not_identified:
                    warnings.append(
                        _issue(
                            "identified-inconsistent",
                            gettext_noop(
                                "all %(mineral)s smelters are declared identified (question "
                                "%(question)s) but row %(row)s says 'Smelter not yet identified'"
                            ),
                            SMELTER_LIST,
                            f"C{row.row}",
                            mineral=mineral,
                            question=identified,
                            row=str(row.row),
                        )
                    )
    _smelter_flags(declaration, set(in_scope))


def _smelter_flags(declaration: ParsedDeclaration, in_scope: set[str]) -> None:
    warnings = declaration.warnings
    for row in declaration.smelters:
        if row.not_identified:
            warnings.append(
                _issue(
                    "smelter-not-identified",
                    gettext_noop("row %(row)s: smelter not yet identified"),
                    SMELTER_LIST,
                    f"C{row.row}",
                    row=str(row.row),
                )
            )
        if not row.metal:
            warnings.append(
                _issue(
                    "metal-unknown",
                    gettext_noop("row %(row)s: '%(value)s' is not a metal of this template"),
                    SMELTER_LIST,
                    f"B{row.row}",
                    row=str(row.row),
                    value=row.metal_text,
                )
            )
        elif row.metal not in in_scope:
            warnings.append(
                _issue(
                    "metal-not-declared",
                    gettext_noop(
                        "row %(row)s: %(mineral)s is listed but not declared in questions 1 and 2"
                    ),
                    SMELTER_LIST,
                    f"B{row.row}",
                    row=str(row.row),
                    mineral=row.metal,
                )
            )
    for group in declaration.duplicate_smelters():
        first = group[0]
        for row in group[1:]:
            warnings.append(
                _issue(
                    "duplicate-smelter",
                    gettext_noop("row %(row)s repeats row %(first)s (%(mineral)s, %(smelter)s)"),
                    SMELTER_LIST,
                    f"A{row.row}",
                    row=str(row.row),
                    first=str(first.row),
                    mineral=row.metal,
                    smelter=row.smelter_id or row.smelter_name,
                )
            )


def _cell_of(declaration: ParsedDeclaration, question: str, mineral: str) -> str:
    for item in declaration.answers:
        if item.question == question and item.mineral == mineral:
            return item.cell
    return ""
