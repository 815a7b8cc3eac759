"""The programmes oretrace ships (``shipped/*.yaml``), read once and checked."""

from __future__ import annotations

from functools import cache
from importlib import resources

from oretrace.audits.programmes.model import Programme, ProgrammeError
from oretrace.audits.programmes.parse import parse


@cache
def shipped() -> tuple[Programme, ...]:
    """Every shipped programme version, in file-name order; ``ProgrammeError`` if one is bad or
    two files give the same code and version."""
    folder = resources.files("oretrace.audits.programmes") / "shipped"
    found: list[Programme] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            programme = parse(entry.read_bytes(), source=entry.name)
            for other in found:
                if other.key == programme.key:
                    raise ProgrammeError(
                        f"{programme.key} is also defined in {other.source}", source=entry.name
                    )
            found.append(programme)
    return tuple(found)


def shipped_programme(code: str, version: str | None = None) -> Programme:
    """A shipped programme by code (its latest version when none is given: 2026.10 after
    2026.9); ``KeyError`` when none matches."""
    matches = [p for p in shipped() if p.code == code and version in (None, p.version)]
    if not matches:
        raise KeyError(f"no shipped programme {code}" + (f"@{version}" if version else ""))
    return max(matches, key=lambda p: _version_key(p.version))


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in version.split("."))
