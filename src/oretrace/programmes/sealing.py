"""Children's personal data (name, date of birth, where they live) sealed at rest with keys
kept outside the database, in ``ORETRACE_PROGRAMME_KEY_DIR``: a key ring of its own
(``core.sealing``), apart from the grievance keys. Each record is bound to its case."""

from __future__ import annotations

import json
from typing import TypedDict

from oretrace.core.sealing import KeyRing, Sealed
from oretrace.programmes.exceptions import SealError

RING = KeyRing("ORETRACE_PROGRAMME_KEY_DIR", "programme", SealError, "programmes.ChildCase")


class Identity(TypedDict):
    """What identifies a child: seen only by the programme's case workers."""

    name: str
    birth_date: str  # ISO date, or "" when unknown
    location: str


def seal_identity(identity: Identity, *, case_id: int) -> Sealed:
    return RING.seal(json.dumps(identity, ensure_ascii=False), context=f"case:{case_id}")


def open_identity(sealed: Sealed, *, case_id: int) -> Identity:
    text = RING.unseal(sealed, context=f"case:{case_id}")
    if not text:
        return Identity(name="", birth_date="", location="")
    data = json.loads(text)
    return Identity(
        name=str(data.get("name", "")),
        birth_date=str(data.get("birth_date", "")),
        location=str(data.get("location", "")),
    )
