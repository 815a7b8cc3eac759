"""Watched folders: template files dropped into a folder are imported through the one import
pipeline (the same batch, job, limits and checks as an upload), then moved out of the way.

    DIR/            files are dropped here (a scanner, a mail rule, a shared drive)
    DIR/processing/ files being imported (moved here, one rename, before their batch starts)
    DIR/done/       imported, or already imported before (the same SHA-256)
    DIR/refused/    refused, each with ``<file name>.reason.txt`` saying why

A file is taken only once its size and modification time have stayed the same for
``settle_seconds`` (a copy still being written is left alone). Taking a file is a rename into
``processing/``, so two watchers of one folder never import the same file twice. A watcher that
stopped halfway (killed, machine restarted) leaves its files in ``processing/``: the next scan
takes them first, and the files its batch had imported come back as duplicates, so nothing is
imported twice and nothing is lost. Files are moved on disk only: every write to the database
goes through ``imports.start_import`` and the import job.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from oretrace.core.exceptions import OretraceError
from oretrace.core.management.support import FilesOnDisk, run_here
from oretrace.core.models import Job, Membership
from oretrace.declarations.models import ImportBatch, Supplier
from oretrace.declarations.permissions import can_import_declarations
from oretrace.declarations.services.imports import MAX_FILES, start_import

logger = logging.getLogger(__name__)

PROCESSING, DONE, REFUSED = "processing", "done", "refused"
REASON_SUFFIX = ".reason.txt"


@dataclass
class Scan:
    """What one pass over the folder did."""

    batch: ImportBatch | None = None
    job: Job | None = None
    moved: dict[str, list[str]] = field(default_factory=lambda: {DONE: [], REFUSED: []})
    waiting: list[str] = field(default_factory=list)


def _ignored(path: Path) -> bool:
    """Hidden files, Office lock files (``~$x.xlsx``) and partial downloads are never taken."""
    name = path.name
    return (
        name.startswith((".", "~$"))
        or name.endswith(REASON_SUFFIX)
        or name.lower().endswith((".tmp", ".part", ".crdownload"))
    )


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``folder/name (2)`` … when a file of that name is there already."""
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while target.exists():
        target = folder / f"{stem} ({n}){suffix}"
        n += 1
    return target


class FolderWatcher:
    """Imports the files dropped into ``root`` as ``actor``; one ``scan()`` per pass."""

    def __init__(
        self,
        root: Path,
        *,
        actor: Membership,
        supplier: Supplier | None = None,
        settle_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        can_import_declarations.require(actor)  # at once, not when the first file arrives
        self.root = root
        self.actor = actor
        self.supplier = supplier
        self.settle_seconds = settle_seconds
        self.clock = clock
        # file name -> (size, mtime_ns, first seen with them)
        self._seen: dict[str, tuple[int, int, float]] = {}
        for name in (PROCESSING, DONE, REFUSED):
            (root / name).mkdir(parents=True, exist_ok=True)

    # --- choosing files ---------------------------------------------------------------------

    def _settled(self) -> tuple[list[Path], list[str]]:
        """Files whose size and time stood still for ``settle_seconds``; and the others."""
        now = self.clock()
        ready, waiting, present = [], [], set()
        for path in sorted(self.root.iterdir()):
            if not path.is_file() or _ignored(path):
                continue
            present.add(path.name)
            try:
                stat = path.stat()
            except FileNotFoundError:  # taken by another watcher meanwhile
                continue
            size, mtime = stat.st_size, stat.st_mtime_ns
            before = self._seen.get(path.name)
            if before is None or before[:2] != (size, mtime):
                self._seen[path.name] = (size, mtime, now)
                waiting.append(path.name)
            elif now - before[2] >= self.settle_seconds:
                ready.append(path)
            else:
                waiting.append(path.name)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return ready, waiting

    def _take(self, ready: list[Path]) -> list[Path]:
        """Move the files into ``processing/`` (a rename: one watcher wins each file)."""
        taken = []
        for path in ready:
            target = _free_name(self.root / PROCESSING, path.name)
            try:
                path.rename(target)
            except FileNotFoundError:
                continue
            self._seen.pop(path.name, None)
            taken.append(target)
        return taken

    # --- one pass ---------------------------------------------------------------------------

    def scan(self, *, listener: Callable[[int, str | None], None] | None = None) -> Scan:
        """Import what is ready: first what a stopped watcher left in ``processing/``, then the
        files that settled. At most ``MAX_FILES`` per pass, as for an upload."""
        left = sorted(p for p in (self.root / PROCESSING).iterdir() if p.is_file())
        ready, waiting = self._settled()
        files = (left + self._take(ready[: max(MAX_FILES - len(left), 0)]))[:MAX_FILES]
        scan = Scan(waiting=waiting)
        if not files:
            return scan
        batch = start_import(
            FilesOnDisk(files),
            actor=self.actor,
            supplier=self.supplier,
            source="watch",
        )
        scan.batch = batch
        if batch.job is not None:
            scan.job = run_here(batch.job, listener=listener)
        batch.refresh_from_db()
        self._file_away(files, batch, scan)
        return scan

    def _file_away(self, files: list[Path], batch: ImportBatch, scan: Scan) -> None:
        """Move each file to ``done/`` or ``refused/`` by its outcome in the batch. Files whose
        outcome is not known (the job stopped) stay in ``processing/`` for the next pass."""
        for path, entry in zip(files, batch.files, strict=True):
            outcome = entry.get("outcome")
            if outcome in ("imported", "duplicate"):
                folder = DONE
            elif outcome == "refused":
                folder = REFUSED
            else:
                continue
            target = _free_name(self.root / folder, path.name)
            os.replace(path, target)
            if folder == REFUSED:
                reason = target.with_name(target.name + REASON_SUFFIX)
                reason.write_text(
                    f"{entry['filename']}: refused (import batch #{batch.pk})\n"
                    f"{entry.get('message', '')}\n",
                    encoding="utf-8",
                )
            scan.moved[folder].append(target.name)


def watch(
    watcher: FolderWatcher,
    *,
    interval: float,
    once: bool = False,
    on_scan: Callable[[Scan], None] = lambda _scan: None,
    on_error: Callable[[Exception], None] = lambda _exc: None,
    listener: Callable[[int, str | None], None] | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Scan every ``interval`` seconds until ``stop()`` (or once, after files settle)."""
    while not stop():
        try:
            scan = watcher.scan(listener=listener)
        except OretraceError as exc:  # e.g. the member lost the right to import: say so, go on
            logger.warning("watched folder %s: %s", watcher.root, exc)
            on_error(exc)
            scan = Scan()
        else:
            on_scan(scan)
        if once and not scan.waiting:
            return
        time.sleep(interval)
