"""Helpers the management commands share: who runs the command, which files it reads."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.core.management.base import CommandError

from oretrace.core.models import Membership


def member_for(email: str, slug: str = "") -> Membership:
    """The active membership the command acts as (the user's first, or the named one)."""
    members = (
        Membership.objects.active()
        .select_related("user", "organisation")
        .filter(user__email=email.lower())
        .order_by("organisation__legal_name")
    )
    if slug:
        members = members.filter(organisation__slug=slug)
    member = members.first()
    if member is None:
        raise CommandError(
            f"{email} is not an active member" + (f" of {slug}" if slug else " of any organisation")
        )
    return member


def collect_files(paths: Iterable[Path], suffixes: set[str]) -> list[Path]:
    """Files given, and the files with one of ``suffixes`` in folders given (recursively)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in suffixes)
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{path} does not exist")
    if not files:
        raise CommandError(f"no {', '.join(sorted(suffixes))} files found")
    return files
