"""Fixtures for the template readers: the real RMI files, read once per session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from oretrace.declarations.templates import ParsedDeclaration, parse_template

# A day after every real declaration's effective date, so that the date checks are stable.
TODAY = date(2024, 8, 1)


@pytest.fixture
def templates_dir(shared_data: Path) -> Path:
    return shared_data / "rmi-templates"


@pytest.fixture
def parse_file(templates_dir: Path):
    def parse(relative: str, today: date = TODAY) -> ParsedDeclaration:
        path = templates_dir / relative
        return parse_template(path.read_bytes(), path.name, today=today)

    return parse
