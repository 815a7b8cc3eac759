"""Helpers the management commands share: who runs the command, which files it reads."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import overload

from django.core.management.base import CommandError

from oretrace.core.jobs import execute
from oretrace.core.models import Job, Membership


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


def add_member_arguments(
    parser: argparse.ArgumentParser,
    *,
    user: str,
    organisation: str = "slug of the organisation (default: the user's first)",
) -> None:
    """``--user`` (an e-mail, required) and ``--organisation`` (a slug): the membership the
    command acts as, which ``member_from`` finds; ``user`` and ``organisation`` are their help."""
    parser.add_argument("--user", required=True, help=user)
    parser.add_argument("--organisation", default="", help=organisation)


def member_from(options: Mapping[str, object]) -> Membership:
    """The membership named by the options ``add_member_arguments`` added."""
    return member_for(str(options["user"]), str(options["organisation"]))


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


class FilesOnDisk(Sequence[tuple[str, bytes]]):
    """Files as an import takes them, ``(name, bytes)``, each read only when it is reached:
    a folder of large workbooks is never held in memory at once."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = list(paths)

    def __len__(self) -> int:
        return len(self.paths)

    @overload
    def __getitem__(self, index: int) -> tuple[str, bytes]: ...

    @overload
    def __getitem__(self, index: slice) -> FilesOnDisk: ...

    def __getitem__(self, index: int | slice) -> tuple[str, bytes] | FilesOnDisk:
        if isinstance(index, slice):
            return FilesOnDisk(self.paths[index])
        path = self.paths[index]
        return path.name, path.read_bytes()


def run_here(
    job: Job,
    *,
    listener: Callable[[int, str | None], None] | None = None,
    poll_seconds: float = 0.5,
) -> Job:
    """Run a queued job in this process, as a worker would (claim, lease, heartbeat, result),
    or follow it to its end when a worker took it first; returns the job as it ended.

    The command line runs its jobs this way, so that an import from a terminal leaves the same
    job row as one from the web, and needs no worker. A process killed halfway leaves a running
    job whose lease runs out: ``recover_jobs`` gives it to a worker, which resumes it.
    ``listener`` sees each progress report (percent, message) of the run, or of the job followed.
    """
    if not execute(job.pk, listener=listener):
        seen: tuple[int, int] = (-1, -1)
        while True:
            job.refresh_from_db()
            if (job.progress, len(job.messages)) != seen and listener is not None:
                seen = (job.progress, len(job.messages))
                last = job.messages[-1]["text"] if job.messages else None
                listener(job.progress, last)
            if job.is_final:
                break
            time.sleep(poll_seconds)
    job.refresh_from_db()
    return job


def progress_bar(percent: float, name: str | None, quiet: bool) -> None:
    """A job's progress as one line redrawn in place (only on a terminal, unless ``quiet``)."""
    if quiet or not sys.stdout.isatty():
        return
    filled = int(20 * percent / 100)
    text = (name or "")[:40]
    sys.stdout.write(f"\r\033[K[{'#' * filled}{'.' * (20 - filled)}] {percent:3.0f}% {text}")
    sys.stdout.flush()


def clear_bar(quiet: bool) -> None:
    """Wipe the progress line before the command writes its summary."""
    if not quiet and sys.stdout.isatty():
        sys.stdout.write("\r\033[K")
