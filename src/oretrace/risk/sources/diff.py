"""What changed between two editions of one list: rows added, removed, and changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    """One row in both editions whose values differ: ``(field, before, after)`` each."""

    key: str
    fields: list[tuple[str, str, str]]


@dataclass(frozen=True)
class EditionDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_rows(
    before: Mapping[str, Mapping[str, str]], after: Mapping[str, Mapping[str, str]]
) -> EditionDiff:
    """Compare two editions given as key → compared values; keys sorted in each part."""
    changed = []
    for key in sorted(before.keys() & after.keys()):
        old, new = before[key], after[key]
        fields = [(name, old.get(name, ""), new.get(name, "")) for name in sorted({*old, *new})]
        fields = [f for f in fields if f[1] != f[2]]
        if fields:
            changed.append(Change(key, fields))
    return EditionDiff(
        added=sorted(after.keys() - before.keys()),
        removed=sorted(before.keys() - after.keys()),
        changed=changed,
    )
