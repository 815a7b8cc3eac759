"""Suppliers: record one, correct one, or import a supplier list, all or nothing.

A list (CSV or Excel) is read by ``declarations.supplier_list``; here its countries are
resolved against the reference list and each row written, all or nothing: one bad row refuses
the whole file. A supplier whose name is already known (ignoring case and spacing) is updated
with the non-empty cells, never duplicated.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from oretrace.core.changelog import log_change, snapshot
from oretrace.core.choices import ChangeAction
from oretrace.core.models import Country, Membership
from oretrace.core.tenancy import owned
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.models import Supplier
from oretrace.declarations.permissions import (
    can_edit_suppliers,
    require_importing_suppliers,
    require_own,
)
from oretrace.declarations.supplier_list import (
    MAX_ERRORS,
    SupplierList,
    key_of,
    problem_at,
    read_suppliers,
)


@dataclass
class SupplierImport:
    """What a supplier list changed."""

    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }


def _country(code: str) -> Country | None:
    if not code:
        return None
    try:
        return Country.objects.get(pk=code.upper())
    except Country.DoesNotExist:
        raise DeclarationError(f"unknown country code {code!r} (ISO 3166-1 alpha-2)") from None


def _storable(text: str) -> str:
    """Text as stored: a NUL, which PostgreSQL cannot store in text, becomes U+FFFD (the
    replacement character), visibly, on every database alike."""
    return text.replace("\x00", "\ufffd")


@transaction.atomic
def create_supplier(
    *,
    actor: Membership,
    name: str,
    reference: str = "",
    email: str = "",
    contact_name: str = "",
    country: str = "",
    language: str = "",
) -> Supplier:
    require_own(actor, can_edit_suppliers, "supplier")
    name = " ".join(_storable(name).split())
    reference, contact_name = _storable(reference), _storable(contact_name)
    if not name:
        raise DeclarationError("a supplier needs a name")
    language = language.strip().lower()
    known = [code for code, _name in settings.LANGUAGES]
    if language and language not in known:
        raise DeclarationError(
            f"{language!r} is not a language of this site; use one of {', '.join(known)}"
        )
    supplier = Supplier(
        organisation=actor.organisation,
        created_by=actor.user,
        name=name[:300],
        reference=reference.strip()[:80],
        email=email.strip(),
        contact_name=contact_name.strip()[:200],
        country=_country(country),
        language=language,
    )
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError:
        raise DeclarationError(f"there is already a supplier named {name!r}") from None
    log_change(supplier, action=ChangeAction.CREATE, actor=actor)
    return supplier


@transaction.atomic
def update_supplier(supplier: Supplier, *, actor: Membership, **changes: Any) -> Supplier:
    require_own(actor, can_edit_suppliers, "supplier", supplier)
    allowed = {"name", "reference", "email", "contact_name", "country"}
    unknown = set(changes) - allowed
    if unknown:
        raise DeclarationError(f"unknown supplier field(s): {', '.join(sorted(unknown))}")
    before = snapshot(supplier)
    for field, value in changes.items():
        if field == "country":
            supplier.country = _country(value or "")
        elif field == "name":
            value = " ".join((value or "").split())
            if not value:
                raise DeclarationError("a supplier needs a name")
            supplier.name = value[:300]
        else:
            setattr(supplier, field, (value or "").strip())
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError:
        raise DeclarationError(f"there is already a supplier named {supplier.name!r}") from None
    log_change(supplier, action=ChangeAction.UPDATE, actor=actor, before=before)
    return supplier


def _resolve_countries(found: SupplierList) -> None:
    """Replace each country as written by its ISO code; a country the reference list does not
    know is an error of its row."""
    wanted = [values for _line, values in found.rows if values.get("country")]
    if not wanted:
        return
    codes: dict[str, str] = {}
    for code, name, alpha3 in Country.objects.values_list("code", "name", "alpha3"):
        codes[code] = codes[key_of(name)] = code
        if alpha3:
            codes[key_of(alpha3)] = code
    for line, values in found.rows:
        country = values.get("country", "")
        if not country:
            continue
        found_code = codes.get(country.upper()) or codes.get(key_of(country))
        if found_code is None:
            found.errors.append(
                problem_at(
                    found.unit,
                    line,
                    "country",
                    _("%(value)r is not a country (use the ISO code, e.g. DE, or the name)")
                    % {"value": country},
                )
            )
        else:
            values["country"] = found_code


def _refuse(errors: list[str]) -> None:
    shown = errors[:MAX_ERRORS]
    if len(errors) > MAX_ERRORS:
        shown.append(_("… and %(count)s more") % {"count": len(errors) - MAX_ERRORS})
    raise DeclarationError(_("nothing was imported: %(errors)s") % {"errors": "; ".join(shown)})


@transaction.atomic
def import_suppliers(
    data: bytes, *, actor: Membership, filename: str = "suppliers.csv"
) -> SupplierImport:
    """Create or update the suppliers of a list (CSV or Excel), all or nothing."""
    require_importing_suppliers(actor)
    found = read_suppliers(data, filename)
    _resolve_countries(found)
    if found.errors:
        found.errors.sort(key=_error_order)
        _refuse(found.errors)
    known = {s.name.casefold(): s for s in owned(Supplier.objects.all(), actor)}
    done = SupplierImport()
    for _line, values in found.rows:
        existing = known.get(values["name"].casefold())
        if existing is None:
            create_supplier(actor=actor, **values)
            done.created.append(values["name"])
            continue
        changes = {
            k: v
            for k, v in values.items()
            if k != "name" and v and v != (getattr(existing, f"{k}_id" if k == "country" else k))
        }
        if changes:
            update_supplier(existing, actor=actor, **changes)
            done.updated.append(existing.name)
        else:
            done.unchanged.append(existing.name)
    return done


def _error_order(error: str) -> int:
    """Errors in the order of their rows (the countries are checked after the rest)."""
    number = re.search(r"\d+", error)
    return int(number.group()) if number else 0
