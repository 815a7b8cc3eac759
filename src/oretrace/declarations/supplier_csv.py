"""The supplier list from a CSV file: name, reference, e-mail, country (and contact name).

Header names are matched loosely ("Supplier name", "E-mail address", "Country code" …), the
delimiter is found from the header line (comma, semicolon or tab), and the file may be UTF-8
(with or without BOM) or Windows-1252. All or nothing: one bad row refuses the whole file, and
every error names its line and column. A supplier whose name is already known (ignoring case
and spacing) is updated with the non-empty cells, never duplicated.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import Country, Membership
from oretrace.declarations import services
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.models import Supplier
from oretrace.declarations.permissions import can_edit_suppliers

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_ERRORS = 20
FIELDS = ("name", "reference", "email", "country", "contact_name")
LIMITS = {"name": 300, "reference": 80, "email": 254, "contact_name": 200}
# Header spellings seen in supplier lists, compared in lower case with letters and digits only.
ALIASES = {
    "name": {
        "name",
        "supplier",
        "suppliername",
        "company",
        "companyname",
        "legalname",
        "vendor",
        "vendorname",
    },
    "reference": {
        "reference",
        "ref",
        "yourreference",
        "suppliercode",
        "supplierid",
        "suppliernumber",
        "vendorcode",
        "vendorid",
        "vendornumber",
        "code",
        "id",
    },
    "email": {
        "email",
        "emailaddress",
        "mail",
        "contactemail",
        "contactemailaddress",
        "courriel",
    },
    "country": {"country", "countrycode", "iso", "isocode", "iso2", "countryiso"},
    "contact_name": {"contact", "contactname", "contactperson"},
}


@dataclass
class SupplierImport:
    """What a supplier list changed."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DeclarationError(_("the file is not valid UTF-16 text")) from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = _key(title)
        for name, spellings in ALIASES.items():
            if key in spellings:
                if name in found:
                    raise DeclarationError(
                        _("line 1: two columns mean %(field)s (%(a)r and %(b)r)")
                        % {"field": name, "a": header[found[name]], "b": title}
                    )
                found[name] = index
    if "name" not in found:
        raise DeclarationError(
            _(
                "line 1: no column for the supplier's name (expected a header such as "
                "'name', 'supplier' or 'company'; found %(found)s)"
            )
            % {"found": ", ".join(repr(h) for h in header) or _("nothing")}
        )
    return found


def read_suppliers(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The rows of a supplier list as (line, {field: value}); raises `DeclarationError`
    listing every bad cell by line and column."""
    if len(data) > MAX_BYTES:
        raise DeclarationError(
            _("the file is larger than %(mb)s MB") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    text = _decode(data)
    if not text.strip():
        raise DeclarationError(_("the file is empty"))
    first = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:  # newline="": a bare carriage return ends a line, as in a file opened for csv
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise DeclarationError(
            _("the file is not a readable CSV list: %(error)s") % {"error": exc}
        ) from None
    columns = _columns([c.strip() for c in rows[0]])
    if len(rows) - 1 > MAX_ROWS:
        raise DeclarationError(
            ngettext(
                "%(count)s row; the limit is %(limit)s",
                "%(count)s rows; the limit is %(limit)s",
                len(rows) - 1,
            )
            % {"count": len(rows) - 1, "limit": MAX_ROWS}
        )
    countries = {c.code: c.code for c in Country.objects.all()}
    countries.update({_key(c.name): c.code for c in Country.objects.all()})
    countries.update({_key(c.alpha3): c.code for c in Country.objects.all()})
    errors: list[str] = []
    seen: dict[str, int] = {}
    result = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {
            name: (row[index].strip() if index < len(row) else "")
            for name, index in columns.items()
        }
        errors.extend(_check(line, values, countries, seen))
        result.append((line, values))
    if not result and not errors:
        raise DeclarationError(_("the file has a header but no suppliers"))
    if errors:
        shown = errors[:MAX_ERRORS]
        if len(errors) > MAX_ERRORS:
            more = len(errors) - MAX_ERRORS
            shown.append(
                ngettext("… and %(count)s more problem", "… and %(count)s more problems", more)
                % {"count": more}
            )
        raise DeclarationError(_("nothing was imported: %(errors)s") % {"errors": "; ".join(shown)})
    return result


def _check(
    line: int, values: dict[str, str], countries: dict[str, str], seen: dict[str, int]
) -> list[str]:
    errors = []

    def bad(column: str, problem: str) -> None:
        errors.append(
            _("line %(line)s, column %(column)s: %(problem)s")
            % {"line": line, "column": column, "problem": problem}
        )

    values["name"] = " ".join(values["name"].split())
    for name, limit in LIMITS.items():
        if len(values.get(name, "")) > limit:
            bad(name, _("longer than %(limit)s characters") % {"limit": limit})
    if not values["name"]:
        bad("name", _("the supplier's name is empty"))
    else:
        key = values["name"].casefold()
        if key in seen:
            bad(
                "name",
                _("%(name)r is already on line %(other)s")
                % {"name": values["name"], "other": seen[key]},
            )
        seen[key] = line
    email = values.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            bad("email", _("%(value)r is not an e-mail address") % {"value": email})
    country = values.get("country", "")
    if country:
        code = countries.get(country.upper()) or countries.get(_key(country))
        if code is None:
            bad(
                "country",
                _("%(value)r is not a country (use the ISO code, e.g. DE, or the name)")
                % {"value": country},
            )
        else:
            values["country"] = code
    return errors


@transaction.atomic
def import_suppliers(data: bytes, *, actor: Membership) -> SupplierImport:
    """Create or update the suppliers of a CSV list, all or nothing."""
    if not can_edit_suppliers(actor):
        raise PermissionDenied(
            _(
                "importing suppliers needs the role compliance officer, supplier contributor, "
                "auditor or administrator"
            )
        )
    rows = read_suppliers(data)
    known = {
        s.name.casefold(): s for s in Supplier.objects.filter(organisation_id=actor.organisation_id)
    }
    done = SupplierImport()
    for _line, values in rows:
        existing = known.get(values["name"].casefold())
        if existing is None:
            services.create_supplier(actor=actor, **values)
            done.created.append(values["name"])
            continue
        changes = {
            k: v
            for k, v in values.items()
            if k != "name" and v and v != (getattr(existing, f"{k}_id" if k == "country" else k))
        }
        if changes:
            services.update_supplier(existing, actor=actor, **changes)
            done.updated.append(existing.name)
        else:
            done.unchanged.append(existing.name)
    return done
