"""How complete each message catalogue is, measured against what the source asks for.

Django's ``makemessages`` is run on a throw-away copy of ``src/oretrace`` (the committed
catalogues are never touched), so every msgid that the code and the templates mark today is
in the merged copy of each catalogue; then each language is counted with polib. An entry is
missing when it is untranslated or fuzzy (``makemessages`` marks a guessed translation of a
new msgid fuzzy: it does not count). Run::

    python scripts/catalogue_report.py              # percentages; exit 1 below the floors
    python scripts/catalogue_report.py --missing sw # also list the msgids sw lacks

Floors: French and Hindi 100 %, every other language (the regions' languages) 95 %. The
test ``tests/test_catalogues.py`` runs the same code in the normal test suite.
"""

# ruff: noqa: T201  (a command-line script reports with print)
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "src" / "oretrace"
FULL = ("fr", "hi")  # the languages every msgid must have
FLOOR = 95.0  # percent, for every other language
_SKIP = shutil.ignore_patterns("__pycache__", "*.mo", "tests", "static", "migrations")


@dataclass
class Coverage:
    """One language's catalogue as ``makemessages`` leaves it for the current source."""

    language: str
    total: int
    missing: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * (self.total - len(self.missing)) / self.total if self.total else 100.0

    @property
    def floor(self) -> float:
        return 100.0 if self.language in FULL else FLOOR

    @property
    def ok(self) -> bool:
        return self.percent >= self.floor

    def line(self) -> str:
        verdict = "ok" if self.ok else f"below {self.floor:.0f} %"
        return (
            f"{self.language}: {self.percent:6.2f} % translated "
            f"({self.total - len(self.missing)} of {self.total}; {len(self.missing)} missing) "
            f"— {verdict}"
        )


def _label(entry: polib.POEntry) -> str:
    ctxt = f" [context {entry.msgctxt!r}]" if entry.msgctxt else ""
    return f"{entry.msgid!r}{ctxt}"


def coverage_of(po: polib.POFile, language: str) -> Coverage:
    """Count the live entries of ``po``; fuzzy and untranslated ones are missing."""
    live = [e for e in po if not e.obsolete]
    missing = [_label(e) for e in live if e.fuzzy or not e.translated()]
    return Coverage(language, len(live), missing)


def extract(package: Path = PACKAGE, workdir: Path | None = None) -> dict[str, polib.POFile]:
    """Run ``makemessages`` for every language of ``package/locale`` on a copy of ``package``.

    Returns the merged catalogue of each language. The copy is made in ``workdir`` (a new
    temporary directory by default) and removed afterwards.
    """
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        copy = Path(tmp) / "oretrace"
        shutil.copytree(package, copy, ignore=_SKIP)
        languages = sorted(p.name for p in (copy / "locale").iterdir() if p.is_dir())
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ORETRACE_")},
            "ORETRACE_DEBUG": "true",
            "ORETRACE_DATA_DIR": str(Path(tmp) / "var"),
            "DJANGO_SETTINGS_MODULE": "oretrace.settings",
            "PYTHONPATH": tmp,  # the copy, not the installed package, is what is scanned
        }
        args = [sys.executable, "-m", "django", "makemessages", "--no-obsolete", "-v", "0"]
        for language in languages:
            args += ["-l", language]
        done = subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
            args, cwd=copy, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"makemessages failed:\n{done.stderr[-3000:]}")
        return {
            language: polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
            for language in languages
        }


def report(package: Path = PACKAGE) -> list[Coverage]:
    """The coverage of every language, French and Hindi first."""
    return coverages(extract(package))


def coverages(catalogues: dict[str, polib.POFile]) -> list[Coverage]:
    """The coverage of each of ``extract``'s catalogues, French and Hindi first."""
    order = sorted(catalogues, key=lambda code: (code not in FULL, code))
    return [coverage_of(catalogues[code], code) for code in order]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", type=Path, default=PACKAGE)
    parser.add_argument(
        "--missing", action="append", default=[], metavar="LANG", help="list what LANG lacks"
    )
    args = parser.parse_args(argv)
    results = report(args.package)
    for result in results:
        print(result.line())
        if result.language in args.missing or (args.missing == ["all"] and result.missing):
            for label in result.missing:
                print(f"  - {label}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
