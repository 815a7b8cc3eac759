"""Facility lists: RMI exports and other tables whose header row names the columns."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from oretrace.registry.matching.normalise import country_code, metal_code, normalise_identifier
from oretrace.registry.reference_files.lookup import PLACEHOLDERS
from oretrace.registry.reference_files.rows import (
    ReferenceFile,
    ReferenceRow,
    cell,
    cell_text,
    column_letter,
    identifier,
    parse_date,
)

# Normalised header → field. Headers are case-folded, every non-alphanumeric run becomes one space.
_LIST_COLUMNS: dict[str, str] = {
    "metal": "metal",
    "metal type": "metal",
    "mineral": "metal",
    "smelter id": "facility_id",
    "smelter identification": "facility_id",
    "smelter identification number": "facility_id",
    "facility id": "facility_id",
    "new smelter id": "facility_id",
    "v3 smelter id": "facility_id",
    "rmi id": "facility_id",
    "cid": "facility_id",
    "old smelter id": "cfsi_id",
    "v2 smelter id": "cfsi_id",
    "smelter reference": "name",
    "smelter reference list": "name",
    "smelter look up": "name",
    "smelter lookup": "name",
    "alias": "name",
    "smelter name": "name",
    "facility name": "name",
    "name": "name",
    "standard smelter name": "standard_name",
    "standard smelter names": "standard_name",
    "standard facility name": "standard_name",
    "country": "country",
    "country location": "country",
    "location": "country",
    "smelter country": "country",
    "smelter facility location": "country",
    "smelter facility location country": "country",
    "facility location country": "country",
    "state province region": "state",
    "state province": "state",
    "state": "state",
    "province": "state",
    "smelter facility location state province": "state",
    "city": "city",
    "smelter city": "city",
    "street": "street",
    "smelter street": "street",
    "address": "street",
    "rmi status": "status",
    "rmap status": "status",
    "status": "status",
    "assessment status": "status",
    "conformance status": "status",
    "audit status": "status",
    "type": "type",
    "last audit date": "last_audit",
    "last assessment date": "last_audit",
    "date of last audit": "last_audit",
    "audit date": "last_audit",
}
_COUNTER_COLUMNS = frozenset({"sl", "sl #", "sl#", "sl no", "no", "s no", "#", ""})
_HISTORY_COLUMNS = frozenset({"basis for revision", "revision date"})
# RMAP status vocabulary, lower case, to decide whether a "Type" column holds statuses.
_STATUS_WORDS = (
    "conformant",
    "active",
    "non conformant",
    "non-conformant",
    "cross-recognized",
    "cross recognized",
    "suspended",
    "in communication",
    "outreach required",
    "communication suspended",
    "rmi due diligence review",
    "unable to proceed",
    "not sure",
    "compliant",
)


def _header_key(value: Any) -> str:
    return " ".join(re.sub(r"[^a-z0-9#]+", " ", cell_text(value).casefold()).split())


def _find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[str, int], list[str]] | None:
    """(row index, field → column, header keys) of the first row that looks like a list header."""
    for index, row in enumerate(rows[:15]):
        keys = [_header_key(v) for v in row]
        columns: dict[str, int] = {}
        for column, key in enumerate(keys):
            target = _LIST_COLUMNS.get(key)
            if target and target not in columns:
                columns[target] = column
        has_name = "name" in columns or "standard_name" in columns
        if has_name and ("metal" in columns or "facility_id" in columns):
            return index, columns, keys
    return None


def read_lists(
    tables: Iterable[tuple[str, list[list[Any]]]],
    filename: str,
    translation: Mapping[str, str],
    *,
    workbook: bool,
) -> ReferenceFile | None:
    result = ReferenceFile("facility-list", "", "", "", "", [])
    used: list[str] = []
    merged: dict[tuple[str, str, str], ReferenceRow] = {}
    statuses: dict[str, tuple[str, str]] = {}
    for sheet, rows in tables:
        where = f"{filename}, sheet '{sheet}'" if workbook else filename
        found = _find_header(rows)
        if found is None:
            continue
        header, columns, keys = found
        if _HISTORY_COLUMNS & set(keys):
            result.warnings.append(f"{where}: skipped, it is a revision history, not a list")
            continue
        used.append(sheet)
        status_column = columns.get("status")
        if status_column is None and "type" in columns:
            status_column = _status_like(rows[header + 1 :], columns["type"])
        for index in range(header + 1, len(rows)):
            row = _list_row(
                rows[index], index + 1, columns, keys, status_column, where, translation, result
            )
            if row is None:
                continue
            if workbook:
                row.extra["sheet"] = sheet
            _check_status(row, f"{where}, row {row.row}", statuses, result)
            key = (row.metal, row.facility_id, row.name.casefold())
            if key in merged:
                merged[key] = _fill(merged[key], row)
            else:
                merged[key] = row
    if not used:
        return None
    result.rows = _share_facility_facts(list(merged.values()))
    result.sheet = ", ".join(used)
    result.source = "RMI facility list export"
    return result


def _check_status(
    row: ReferenceRow, where: str, seen: dict[str, tuple[str, str]], result: ReferenceFile
) -> None:
    """Warn when two rows give one smelter ID different statuses (the first one is kept)."""
    if not (row.facility_id and row.status):
        return
    first = seen.setdefault(row.facility_id, (row.status, where))
    if first[0].casefold() != row.status.casefold():
        result.warnings.append(
            f"{where}: {row.facility_id} has status '{row.status}' here but '{first[0]}' in "
            f"{first[1]}; keeping '{first[0]}'"
        )


def _status_like(rows: Sequence[Sequence[Any]], column: int) -> int | None:
    values = {cell(r, column).casefold() for r in rows[:500]} - {""}
    if values and all(v.startswith(_STATUS_WORDS) for v in values):
        return column
    return None


def _list_row(
    row: Sequence[Any],
    number: int,
    columns: Mapping[str, int],
    keys: Sequence[str],
    status_column: int | None,
    where: str,
    translation: Mapping[str, str],
    result: ReferenceFile,
) -> ReferenceRow | None:
    def get(name: str) -> str:
        return cell(row, columns[name]) if name in columns else ""

    standard = get("standard_name")
    name = get("name") or standard
    if not name or name.casefold() in PLACEHOLDERS:
        if any(cell(row, c) for c in columns.values()) and not name:
            result.warnings.append(f"{where}, row {number}: no smelter name; row skipped")
        return None
    metal_text = get("metal")
    metal = metal_code(metal_text)
    if metal_text and not metal:
        result.errors.append(
            f"{where}, cell {column_letter(columns['metal'])}{number}: '{metal_text}' is not a "
            "metal or mineral (expected e.g. Tin, Gold, Cobalt, Mica)"
        )
        return None
    id_cell = f"{where}, cell {column_letter(columns.get('facility_id', 0))}{number}"
    facility_id, extra = identifier(get("facility_id"), id_cell, translation, result)
    if old := normalise_identifier(get("cfsi_id")):
        extra["cfsi_id"] = old
        facility_id = facility_id or translation.get(old, "")
    country_text = get("country")
    country = country_code(country_text)
    if country_text and not country and country_text.casefold() != "unknown":
        result.warnings.append(
            f"{where}, cell {column_letter(columns['country'])}{number}: country "
            f"'{country_text}' is not an ISO 3166 country"
        )
    city, state = get("city"), get("state")
    if not city and "city" not in columns and state.count(",") == 1:
        # Conformant-list exports write "City, Province" in one column.
        city, state = (part.strip() for part in state.split(","))
    last_audit = None
    if "last_audit" in columns:
        raw = row[columns["last_audit"]] if columns["last_audit"] < len(row) else None
        try:
            last_audit = parse_date(raw)
        except ValueError:
            result.warnings.append(
                f"{where}, cell {column_letter(columns['last_audit'])}{number}: "
                f"'{cell_text(raw)}' is not a date (expected e.g. 2024-05-02 or 5/2/2024); "
                "last audit date left empty"
            )
    used_columns = {c for name, c in columns.items() if name != "type"}
    if status_column is not None:
        used_columns.add(status_column)
    for column, key in enumerate(keys):
        if (
            column not in used_columns
            and key not in _COUNTER_COLUMNS
            and (value := cell(row, column))
        ):
            extra[key] = value
    return ReferenceRow(
        row=number,
        name=name,
        standard_name=standard,
        metal=metal,
        country=country,
        country_text=country_text,
        facility_id=facility_id,
        street=get("street"),
        city=city,
        state=state,
        status=cell(row, status_column) if status_column is not None else "",
        last_audit=last_audit,
        extra=extra,
    )


def _fill(first: ReferenceRow, later: ReferenceRow) -> ReferenceRow:
    """``first`` with its blank fields filled from ``later`` (the same metal, ID and name)."""
    changes: dict[str, Any] = {
        name: getattr(later, name)
        for name in (
            "standard_name",
            "country",
            "country_text",
            "street",
            "city",
            "state",
            "status",
            "last_audit",
        )
        if not getattr(first, name) and getattr(later, name)
    }
    extra = {**later.extra, **first.extra}
    return replace(first, **changes, extra=extra)


def _share_facility_facts(rows: list[ReferenceRow]) -> list[ReferenceRow]:
    """Status and last audit belong to the smelter, not to one of its names: share them."""
    # Rows are in reading order, so setdefault keeps the first sheet's value.
    facts: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.facility_id:
            known = facts.setdefault(row.facility_id, {})
            if row.status:
                known.setdefault("status", row.status)
            if row.last_audit:
                known.setdefault("last_audit", row.last_audit)
    shared = []
    for row in rows:
        known = facts.get(row.facility_id, {})
        # The first status given for a smelter wins everywhere (conflicts were warned about);
        # a last audit date only fills a blank.
        changes = {k: v for k, v in known.items() if k == "status" or not getattr(row, k)}
        changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
        shared.append(replace(row, **changes) if changes else row)
    return shared
