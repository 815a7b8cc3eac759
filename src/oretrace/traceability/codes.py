"""oretrace's own identifiers in custody events, for lots and places without GS1 keys.

- A lot: ``urn:x-oretrace:lot:<organisation slug>:<lot number>``; the lot number (what goes on
  a bag's label) is typed on a form or given by oretrace (``20261122-001``).
- A place: ``urn:x-oretrace:facility:<registry id>`` for a facility with no GLN and no URI
  identifier of its own.

Pure functions (no database), shared by the forms, the custody derivation and the pictures.
"""

from __future__ import annotations

import re
from urllib.parse import quote

LOT_PREFIX = "urn:x-oretrace:lot:"
FACILITY_PREFIX = "urn:x-oretrace:facility:"
_LOT_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,79}$")
_FACILITY = re.compile(r"^urn:x-oretrace:facility:(\d{1,18})$")


def lot_code(organisation_slug: str, number: str) -> str:
    """The epcClass URI of an organisation's lot number."""
    return f"{LOT_PREFIX}{organisation_slug}:{quote(number, safe='-._/')}"


def lot_number(code: str) -> str:
    """The lot number of an oretrace lot code; any other code as it is."""
    if code.startswith(LOT_PREFIX):
        return code[len(LOT_PREFIX) :].partition(":")[2] or code
    return code


def valid_lot_number(number: str) -> bool:
    """Letters, digits and ``- . _ /``, at most 80, starting with a letter or digit."""
    return bool(_LOT_NUMBER.match(number))


def facility_uri(facility_id: int) -> str:
    return f"{FACILITY_PREFIX}{facility_id}"


def facility_id_of(location: str) -> int | None:
    """The registry id an oretrace facility URI names, if it is one."""
    match = _FACILITY.match(location)
    return int(match.group(1)) if match else None
