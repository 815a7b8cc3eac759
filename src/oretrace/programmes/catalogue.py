"""The indicator sets shipped with oretrace (``programmes/indicators/*.yaml``), read once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from oretrace.programmes.indicatorsets import IndicatorSet, parse

FOLDER = Path(__file__).parent / "indicators"


@cache
def shipped() -> dict[tuple[str, int], IndicatorSet]:
    """Every shipped set by (slug, version); a broken file fails loudly, naming itself."""
    sets: dict[tuple[str, int], IndicatorSet] = {}
    for path in sorted(FOLDER.glob("*.yaml")):
        found = parse(path.read_text(encoding="utf-8"), path.name)
        sets[found.slug, found.version] = found
    return sets


def latest(slug: str) -> IndicatorSet | None:
    versions = [s for (name, _v), s in shipped().items() if name == slug]
    return max(versions, key=lambda s: s.version) if versions else None


def get(slug: str, version: int) -> IndicatorSet | None:
    return shipped().get((slug, version))


def choices() -> list[tuple[str, str]]:
    """(slug, title) of the latest version of each set."""
    found = (latest(slug) for slug in sorted({name for name, _v in shipped()}))
    return [(s.slug, s.titles["en"]) for s in found if s is not None]
