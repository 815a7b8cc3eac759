"""The house rules of ARCHITECTURE.md hold in the code (see `rules.py` for each rule).

`test_rule_holds[<rule>]` runs one rule over `src/oretrace` and fails on a violation that
`allowed.py` does not list; `test_rule_sees_a_planted_violation[<rule>]` (or
`test_<rule>_sees_a_planted_violation`) writes a small package that breaks the rule and shows the
rule failing on it, so that a rule that stopped seeing anything cannot pass silently.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from architecture import rules
from architecture.allowed import ALLOWED

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "oretrace"

# Packages that take bytes and give dataclasses: no Django, nothing of ours that is not pure.
PURE = {
    "oretrace.core.bounds",
    "oretrace.core.yamlfile",
    "oretrace.declarations.rmi",
    "oretrace.ledger.merkle",
    "oretrace.registry.matching",
    "oretrace.traceability.epcis",
    "oretrace.risk.sources",
    "oretrace.risk.scoring",
    "oretrace.risk.flags",
    "oretrace.audits.programmes",
    "oretrace.programmes.indicatorsets",
    "oretrace.grievances.cells",
    "oretrace.grievances.pulse",
    "oretrace.programmes.figures",
    "oretrace.programmes.disclosure",
}

Rule = Callable[[rules.Source], Iterator[rules.Violation]]
RULES: dict[str, Rule] = {
    "writes": rules.writes,
    "organisation-filter": rules.organisation_filter,
    "pure": lambda source: rules.pure(source, PURE),
    "core-layer": rules.core_layer,
    "api-assembly": rules.api_assembly,
    "http-below-views": rules.http_below_views,
    "tasks": rules.tasks,
    "module-size": rules.module_size,
    "complexity": rules.complexity,
    "cycles": rules.cycles,
    "refusal-by-hand": rules.refusal_by_hand,
}


@pytest.fixture(scope="module")
def source() -> rules.Source:
    return rules.Source.read(PACKAGE)


def _broken(source: rules.Source, rule: str) -> list[str]:
    return sorted(str(v) for v in RULES[rule](source) if v.key not in ALLOWED)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rule_holds(source: rules.Source, rule: str) -> None:
    broken = _broken(source, rule)
    assert not broken, f"{len(broken)} violation(s) of {rule!r}:\n" + "\n".join(broken)


def test_every_exception_is_still_needed(source: rules.Source) -> None:
    seen = {v.key for rule in RULES.values() for v in rule(source)}
    stale = sorted(set(ALLOWED) - seen)
    assert not stale, "exceptions in allowed.py that no longer happen (remove them):\n" + "\n".join(
        map(str, stale)
    )


def test_every_exception_names_a_rule_and_a_reason() -> None:
    for (rule, _subject), reason in ALLOWED.items():
        assert rule in RULES
        assert len(reason) > 10


def test_pure_packages_exist(source: rules.Source) -> None:
    assert all(name in source.modules for name in PURE)


def test_ruff_enforces_the_same_complexity_limit() -> None:
    """pyproject's C901 setting is the test's limit, and it ignores only the listed modules."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lint = config["tool"]["ruff"]["lint"]
    assert "C90" in lint["select"]
    assert lint["mccabe"]["max-complexity"] == rules.MAX_COMPLEXITY
    ignored = {
        path
        for path, codes in lint.get("per-file-ignores", {}).items()
        if "C901" in codes and path.startswith("src/")
    }
    listed = {
        "src/" + subject.rsplit(".", 1)[0].replace(".", "/") + ".py"
        for rule, subject in ALLOWED
        if rule == "complexity"
    }
    listed = {p if (ROOT / p).exists() else p[: -len(".py")] + "/__init__.py" for p in listed}
    assert ignored == listed


# --- planted violations: each rule fails on a package made to break it ----------------------


def _plant(tmp_path: Path, files: dict[str, str]) -> rules.Source:
    package = tmp_path / "oretrace"
    for name, text in {"__init__.py": "", **files}.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(package).parents:
            (package / parent / "__init__.py").touch()
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return rules.Source.read(package)


def _found(source: rules.Source, rule: str) -> list[tuple[str, str]]:
    return sorted((v.rule, v.module) for v in RULES[rule](source))


def test_writes_sees_a_planted_violation(tmp_path: Path) -> None:
    source = _plant(
        tmp_path,
        {
            "lots/views.py": """
                def close(lot, pk):
                    lot.save()
                    Lot.objects.filter(pk=pk).update(status="closed")
                    {}.update(a=1)  # a dict: not a write
            """,
            "lots/services.py": "def close(lot):\n    lot.save()\n",
        },
    )
    found = list(rules.writes(source))
    assert [(v.module, v.line) for v in found] == [
        ("oretrace.lots.views", 3),
        ("oretrace.lots.views", 4),
    ]


def test_pure_sees_a_planted_violation(tmp_path: Path) -> None:
    source = _plant(
        tmp_path,
        {
            "declarations/rmi/read.py": "from django.conf import settings\n",
            "declarations/rmi/cells.py": "from oretrace.declarations import models\n",
            "declarations/models.py": "",
            "core/bounds.py": "import zipfile\n",
            "traceability/epcis/document.py": "from oretrace.core import bounds\n",
        },
    )
    found = rules.pure(source, {"oretrace.declarations.rmi", "oretrace.core.bounds"})
    assert sorted((v.rule, v.module) for v in found) == [
        ("pure", "oretrace.declarations.rmi.cells"),
        ("pure", "oretrace.declarations.rmi.read"),
    ]


def test_http_below_views_sees_a_planted_violation(tmp_path: Path) -> None:
    source = _plant(
        tmp_path,
        {
            "lots/services.py": "from django.http import Http404\n\ndef f():\n    raise Http404\n",
            "lots/views.py": "from django.http import Http404\n\ndef f():\n    raise Http404\n",
        },
    )
    assert {v.module for v in rules.http_below_views(source)} == {"oretrace.lots.services"}


def _branches(count: int) -> str:
    return "def tangled(x):\n" + "".join(
        f"    if x == {i}:\n        x += 1\n" for i in range(count)
    )


# Each rule's planted package, and the modules in it that the rule must name.
PLANTED: dict[str, tuple[dict[str, str], list[str]]] = {
    "organisation-filter": (
        {
            "lots/queries.py": "def mine(m):\n    return Lot.objects.filter(organisation=m.org)\n",
            "core/tenancy.py": "def visible(qs, m):\n    return qs.filter(organisation_id=m.org)\n",
        },
        ["oretrace.lots.queries"],
    ),
    "core-layer": (
        {
            "core/jobs.py": "def f():\n    from oretrace.ledger.models import LogState\n",
            "core/tasks.py": "from oretrace.core import jobs\n",
            "ledger/models.py": "from oretrace.core import jobs\n",
        },
        ["oretrace.core.jobs"],
    ),
    "api-assembly": (
        {
            "traceability/api.py": "from oretrace.api.pagination import Pagination\n",
            "api/pagination.py": "",
            "api/api.py": "from oretrace.traceability.api import router\n",
        },
        ["oretrace.traceability.api"],
    ),
    "tasks": (
        {
            "lots/imports.py": "@job_handler('lots.import')\ndef import_job(ctx):\n    pass\n",
            "lots/mail.py": "@task()\ndef send(pk):\n    pass\n",
            "lots/tasks.py": "@task()\ndef run(pk):\n    pass\n",
        },
        ["oretrace.lots.imports", "oretrace.lots.mail"],
    ),
    "module-size": (
        {"lots/big.py": "x = 1\n" * 601, "lots/fine.py": "x = 1\n" * 600},
        ["oretrace.lots.big"],
    ),
    "complexity": (
        {"lots/fine.py": _branches(14), "lots/tangled.py": _branches(15)},
        ["oretrace.lots.tangled"],
    ),
}


@pytest.mark.parametrize("rule", sorted(PLANTED))
def test_rule_sees_a_planted_violation(tmp_path: Path, rule: str) -> None:
    files, modules = PLANTED[rule]
    assert _found(_plant(tmp_path, files), rule) == [(rule, module) for module in modules]


def test_complexity_counts_as_ruff_does(tmp_path: Path) -> None:
    """ruff's C901 and `rules.complexity_of` give a function the same score."""
    text = textwrap.dedent(
        """
        def tangled(a, b, c):
            for x in a:
                if x and b or c:
                    continue
                elif x > 1:
                    while b:
                        b -= 1
                else:
                    def inner():
                        if c:
                            return 1
                        return 2
                try:
                    pass
                except ValueError:
                    pass
                except KeyError:
                    pass
                else:
                    pass
            match b:
                case 1:
                    pass
                case _:
                    pass
            return [y for y in a if y] or (1 if a else 2)
        """
    )
    path = tmp_path / "tangled.py"
    path.write_text(text, encoding="utf-8")
    (function, _inner) = (n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.FunctionDef))
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [
            str(ruff),
            "check",
            "--isolated",
            "--select",
            "C901",
            "--config",
            "lint.mccabe.max-complexity = 1",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    score = rules.complexity_of(function)
    assert score == 11
    assert f"`tangled` is too complex ({score} > 1)" in result.stdout, result.stdout


def test_cycles_sees_a_planted_violation(tmp_path: Path) -> None:
    source = _plant(
        tmp_path,
        {
            "core/jobs.py": "from oretrace.core import tasks\n",
            "core/tasks.py": "def run():\n    from oretrace.core.jobs import run_job\n",
            "core/typed.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from oretrace.core import jobs\n"
            ),
            "core/other.py": "from oretrace.core import typed\n",
        },
    )
    (violation,) = rules.cycles(source)
    assert "oretrace.core.jobs, oretrace.core.tasks" in violation.what


def test_refusal_by_hand_sees_a_planted_violation(tmp_path: Path) -> None:
    view = """
        def page(request):
            try:
                write()
            except PermissionDenied:
                raise
            except OretraceError as exc:
                show(exc)
        """
    source = _plant(tmp_path, {"lots/views.py": view, "lots/services.py": view})
    assert _found(source, "refusal-by-hand") == [("refusal-by-hand", "oretrace.lots.views")]
