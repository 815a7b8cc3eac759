"""What oretrace's own code imports is installed by ``pip install .`` (``make run``), not only by
the dev extras the tests run with: every third-party module imported outside the tests belongs to
a main dependency or to something a main dependency needs."""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]  # src/oretrace
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(distribution: str, *, main_only: bool) -> set[str]:
    """Names a distribution requires (without the ones behind an extra, when ``main_only``)."""
    found = set()
    for requirement in metadata.requires(distribution) or []:
        name, _sep, marker = requirement.partition(";")
        if main_only and "extra" in marker:
            continue
        if match := _NAME.match(name.strip()):
            found.add(_normal(match.group(0)))
    return found


def _installed_by_main() -> set[str]:
    """oretrace's main dependencies and everything they need, transitively."""
    todo, seen = list(_requirements("oretrace", main_only=True)), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            todo.extend(_requirements(name, main_only=True))
        except metadata.PackageNotFoundError:
            continue
    return seen


def _imported_outside_tests() -> dict[str, str]:
    """Top-level module -> first file importing it, for every module of ours but the tests."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" in path.relative_to(SOURCE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(SOURCE)))
    return found


def test_code_outside_the_tests_imports_only_main_dependencies():
    provided = metadata.packages_distributions()
    installed = _installed_by_main()
    missing = []
    for module, where in sorted(_imported_outside_tests().items()):
        if module in sys.stdlib_module_names or module in ("oretrace", "__future__"):
            continue
        distributions = {_normal(d) for d in provided.get(module, [])}
        if not distributions & installed:
            missing.append(f"{module} (imported by {where}; from {sorted(distributions)})")
    assert missing == [], "not installed by `pip install .`: " + "; ".join(missing)
