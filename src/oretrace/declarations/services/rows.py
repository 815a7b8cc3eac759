"""A parsed file as the import stores it: its findings as issues (red flags among them), and
its smelter rows matched against the registry with the state each leaves behind. Reads only:
``services.imports`` writes what these return."""

from __future__ import annotations

from collections.abc import Iterator

from oretrace.core.models import Membership
from oretrace.declarations.choices import Severity
from oretrace.declarations.models import Issue
from oretrace.declarations.queries import RowState
from oretrace.declarations.rmi import ParsedDeclaration, SmelterRow
from oretrace.declarations.rmi.model import Issue as TemplateIssue
from oretrace.registry.choices import MatchOutcome
from oretrace.registry.matching import Matcher, MatchResult
from oretrace.registry.services.reviews import NameQuery, match_names

# Warnings a reviewer must look at before accepting: shown as red flags.
RED_FLAG_CODES = frozenset(
    {
        "covered-sourcing",
        "cahra-sourcing",
        "recycled-inconsistent",
        "identified-inconsistent",
        "smelter-not-identified",
        "duplicate-smelter",
        "date-future",
        "date-old",
        "policy-url-missing",
    }
)


def file_issues(parsed: ParsedDeclaration) -> list[Issue]:
    found = [{"severity": Severity.ERROR.value, **_issue(i)} for i in parsed.errors]
    for issue in parsed.warnings:
        severity = Severity.FLAG if issue.code in RED_FLAG_CODES else Severity.WARNING
        found.append({"severity": severity.value, **_issue(issue)})
    return found


def _issue(issue: TemplateIssue) -> Issue:
    found: Issue = {
        "code": issue.code,
        "message": issue.message,
        "sheet": issue.sheet,
        "cell": issue.cell,
    }
    if issue.template:  # shown in the reader's language (declarations.findings)
        found.update(template=issue.template, params=dict(issue.params))
    return found


def row_query(row: SmelterRow) -> NameQuery | None:
    if row.not_identified:
        return None
    name = row.smelter_name or ("" if row.not_listed else row.lookup_name)
    if not name and not row.smelter_id:
        return None
    return NameQuery(
        name=name or row.smelter_id, metal=row.metal, country=row.country, identifier=row.smelter_id
    )


def match_rows(
    parsed: ParsedDeclaration, member: Membership, matcher: Matcher | None
) -> list[tuple[SmelterRow, NameQuery | None, MatchResult | None]]:
    queries = [(row, row_query(row)) for row in parsed.smelters]
    asked = [q for _r, q in queries if q is not None]
    if not asked:
        results: Iterator[MatchResult] = iter(())
    elif matcher is not None:
        results = iter(
            matcher.match_many([(q.name, q.metal, q.country, q.identifier) for q in asked])
        )
    else:
        results = iter(match_names(member, asked))
    return [(row, q, next(results) if q is not None else None) for row, q in queries]


def row_states(
    matched: list[tuple[SmelterRow, NameQuery | None, MatchResult | None]],
) -> list[RowState]:
    """The rows' registry state as the import leaves it (before any review is decided)."""
    states = []
    for row, query, result in matched:
        if query is None or result is None:
            continue
        auto = result.outcome == MatchOutcome.AUTO and bool(result.candidates)
        states.append(
            RowState(
                row=row.row,
                name=row.smelter_name or row.lookup_name or query.name,
                facility_id=result.candidates[0].facility_id if auto else None,
                review_open=not auto,
                best_score=result.candidates[0].score if result.candidates else None,
            )
        )
    return states
