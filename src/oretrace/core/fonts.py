"""Fonts the PDF reports need for the scripts of their languages, asked of fontconfig.

WeasyPrint draws text with the fonts fontconfig finds on the server; a Hindi gap report on a
server with no Devanagari font comes out as empty boxes, without any error. ``oretrace check``
uses :func:`missing_fonts` to say so beforehand, naming the package that brings the font.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Script:
    """A writing system the site's languages use, and where a server gets a font for it."""

    lang: str  # fontconfig's language tag: a font that covers it can write the script
    name: str
    languages: str
    package: str  # Debian and Ubuntu package with a Noto font for it


SCRIPTS = (
    Script("hi", "Devanagari", "Hindi", "fonts-noto-core"),
    Script("zh-cn", "CJK", "Chinese", "fonts-noto-cjk"),
)

# Runs ``fc-list`` with the given arguments and returns what it printed.
Lister = Callable[[list[str]], str]


def _fc_list(args: list[str]) -> str:
    found = shutil.which("fc-list")
    if found is None:
        raise FileNotFoundError("fc-list")
    result = subprocess.run(  # noqa: S603  (a fixed program found on PATH, fixed arguments)
        [found, *args], capture_output=True, text=True, timeout=30, check=False
    )
    return result.stdout


def missing_fonts(lister: Lister = _fc_list) -> list[str]:
    """One sentence per script no installed font covers, naming the package to install."""
    problems = []
    for script in SCRIPTS:
        try:
            listed = lister([f":lang={script.lang}", "family"])
        except (OSError, subprocess.SubprocessError):
            return [
                "fontconfig's fc-list is not installed, so the fonts for PDF reports cannot be "
                "checked: install fontconfig (Debian/Ubuntu: apt-get install fontconfig)"
            ]
        if not listed.strip():
            problems.append(
                f"no {script.name} font is installed: {script.languages} PDF reports would "
                f"print empty boxes; install one (Debian/Ubuntu: apt-get install "
                f"{script.package})"
            )
    return problems
