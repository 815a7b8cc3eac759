"""GS1 artefacts an operator points oretrace at (the JSON Schema, the XSD), compiled once.

Compiling takes a fraction of a second, so each process keeps the latest compiled form of
each file and compiles it again only when the file changes (a new modification time).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path


class CompiledFiles[T]:
    """``compile(path)`` per file, remembered until the file changes.

    ``failures`` are the exceptions of ``compile`` that mean the file is not usable; they, and
    a file that cannot be read, become ``unavailable`` naming ``what`` and the path.
    """

    def __init__(
        self,
        what: str,
        compile: Callable[[Path], T],
        unavailable: type[Exception],
        failures: tuple[type[BaseException], ...],
    ) -> None:
        self.what = what
        self._compile = compile
        self._unavailable = unavailable
        self._failures: tuple[type[BaseException], ...] = (OSError, *failures)
        self._lock = threading.Lock()
        self._latest: dict[str, tuple[float, T]] = {}

    def get(self, path: Path) -> T:
        try:
            mtime = path.stat().st_mtime
        except OSError as exc:
            raise self._unavailable(f"{self.what} {path} cannot be read: {exc}") from None
        with self._lock:
            known = self._latest.get(str(path))
            if known is not None and known[0] == mtime:
                return known[1]
            try:
                value = self._compile(path)
            except self._failures as exc:
                raise self._unavailable(f"{self.what} {path} is not usable: {exc}") from None
            self._latest[str(path)] = (mtime, value)
            return value

    def __len__(self) -> int:
        return len(self._latest)
