"""The house rules of ARCHITECTURE.md, read from the code: a linter of our own.

Each rule is a function that takes a `Source` (the parsed modules of a package tree) and returns
`Violation`s. `tests/architecture/test_architecture.py` runs every rule over `src/oretrace` and
fails on any violation that `allowed.py` does not list with its reason, and plants one violation
of each rule in a throw-away package to show that the rule sees it.

The rules, each with a line that breaks it (bad) and the shape that keeps it (good):

``writes`` — ORM writes live in services (and tasks, models' own invariants, migrations)::

    # bad, in views.py or a management command
    lot.save()
    Lot.objects.filter(pk=pk).update(status="closed")
    # good: the view calls the service, which validates, writes and logs
    services.close_lot(lot, actor=member)

``organisation-filter`` — a read scoped by hand instead of through the tenancy helper::

    # bad, in queries.py or views.py
    Lot.objects.filter(organisation=member.organisation)
    # good
    visible(Lot.objects.all(), member)

``pure`` — parser packages take bytes and return dataclasses: no Django, no app modules::

    # bad, in declarations/rmi/read.py
    from django.conf import settings
    # good: the caller passes the setting in as an argument

``core-layer`` — `core` knows no domain app::

    # bad, in core/jobs.py
    from oretrace.ledger.models import LogState
    # good: the ledger registers itself with core (a hook installed in LedgerConfig.ready())

``api-assembly`` — only the API assembly knows every app; domain apps never import it::

    # bad, in traceability/api.py
    from oretrace.api.pagination import Pagination
    # good
    from oretrace.core.pagination import Pagination

``http-below-views`` — services, queries, tasks and parsers raise domain errors; views and the API
translate them::

    # bad, in services.py
    raise Http404("no such lot")
    # good
    raise NotFound(_("No lot {code}.").format(code=code))

``tasks`` — every task and job handler is in the app's ``tasks`` module::

    # bad, in declarations/imports.py
    @job_handler("declarations.import", title=_("Import supplier declarations"))
    def import_job(ctx, batch): ...
    # good, in declarations/tasks.py: the handler loads the batch and calls the import service

``module-size`` — no module over 600 lines (split it by aggregate or by concern).

``complexity`` — no function over McCabe complexity 15, counted as ruff's C901 counts it (ruff
enforces the same limit from pyproject.toml); extract the branches into named helpers::

    # bad: one function that reads, checks and lays out 24 branches
    def layout(graph): ...
    # good: layout() calls _columns(), _rows(), _edges(), each with a few branches

``cycles`` — the module import graph has no cycle (imports under ``if TYPE_CHECKING:`` do not
count, since they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_MODULE_LINES = 600
MAX_COMPLEXITY = 15

# Method names that write through the ORM. `update`/`delete` are also dict/set/file methods, so
# they count only on a queryset-shaped receiver (`X.objects…`, `….filter(…)`, a related manager).
ALWAYS_WRITES = {
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
QUERYSET_WRITES = {"create", "update", "delete", "add", "remove", "clear", "set"}
# A model's own `save()`/`delete()` take no positional argument; a file's or an image's
# `save(out, …)` does (a QR code written to a buffer is not a write to the database).
INSTANCE_WRITES = {"save", "delete"}
QUERYSET_HINTS = {
    "objects",
    "filter",
    "exclude",
    "all",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "for_member",
    "order_by",
    "only",
    "defer",
}

# Where writes belong: module names (the last dotted part) or package names in the path.
WRITE_HOMES = {"services", "tasks", "migrations", "tests", "models"}

# The tenancy helper and the models are where an organisation filter is the rule, not a bypass.
TENANCY_HOMES = {"oretrace.core.tenancy"}
ORG_FILTER_METHODS = {"filter", "exclude", "get"}
ORG_KEYWORDS = {"organisation", "organisation_id"}

DOMAIN_APPS = {"registry", "declarations", "traceability", "ledger", "assessments"}
HTTP_NAMES = {
    "Http404",
    "get_object_or_404",
    "get_list_or_404",
    "HttpResponse",
    "HttpResponseBadRequest",
    "HttpResponseForbidden",
    "HttpResponseNotFound",
    "JsonResponse",
}
PRESENTATION = {
    "views",
    "api",
    "urls",
    "forms",
    "admin",
    "templatetags",
    "dashboard",
    "middleware",
    "context",
    "schemas",
    "management",
    "problems",  # core.problems builds the API's problem documents: HTTP by nature
}


@dataclass(frozen=True)
class Violation:
    rule: str
    module: str
    line: int
    what: str
    subject: str = ""  # what an exception names, when finer than the module (a function)

    @property
    def key(self) -> tuple[str, str]:
        """What `allowed.py` lists: the rule and the module or function (line numbers move)."""
        return (self.rule, self.subject or self.module)

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: [{self.rule}] {self.what}"


@dataclass
class Module:
    name: str  # dotted: oretrace.core.jobs
    path: Path
    tree: ast.Module
    lines: int
    is_package: bool

    @property
    def parts(self) -> list[str]:
        return self.name.split(".")


@dataclass
class Source:
    """Every module under one top-level package, parsed once."""

    root: str
    modules: dict[str, Module] = field(default_factory=dict)

    @classmethod
    def read(cls, package_dir: Path) -> Source:
        root = package_dir.name
        source = cls(root)
        for path in sorted(package_dir.rglob("*.py")):
            rel = path.relative_to(package_dir.parent).with_suffix("")
            parts = list(rel.parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            text = path.read_text(encoding="utf-8")
            name = ".".join(parts)
            source.modules[name] = Module(
                name, path, ast.parse(text, str(path)), text.count("\n"), is_package
            )
        return source

    def production(self) -> Iterator[Module]:
        """Modules that ship: not tests, not migrations."""
        for module in self.modules.values():
            if not {"tests", "migrations"} & set(module.parts):
                yield module


# --- helpers ---------------------------------------------------------------------------------


def _receiver_names(node: ast.expr) -> set[str]:
    """Names along a receiver chain: `A.objects.filter(x).all` → {A, objects, filter, all}."""
    names: set[str] = set()
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.add(node.id)
            return names
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return names


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def _is_super_call(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
    )


def _type_checking_blocks(tree: ast.AST) -> set[int]:
    """ids of `if TYPE_CHECKING:` bodies' statements, whose imports never run."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = (
                test.id
                if isinstance(test, ast.Name)
                else test.attr
                if isinstance(test, ast.Attribute)
                else ""
            )
            if name == "TYPE_CHECKING":
                for stmt in node.body:
                    for inner in ast.walk(stmt):
                        skipped.add(id(inner))
    return skipped


def imports_of(module: Module) -> Iterator[tuple[str, int]]:
    """(imported dotted name, line) for every import that runs, at any depth."""
    skipped = _type_checking_blocks(module.tree)
    for node in ast.walk(module.tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno


def resolve(source: Source, dotted: str) -> str | None:
    """The module of ours that `dotted` names (a module, or a name inside one), if any."""
    parts = dotted.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in source.modules:
            return candidate
        parts.pop()
    return None


def app_of(module_name: str) -> str:
    parts = module_name.split(".")
    return parts[1] if len(parts) > 1 else ""


# --- the rules -------------------------------------------------------------------------------


def writes(source: Source) -> Iterator[Violation]:
    for module in source.production():
        if WRITE_HOMES & set(module.parts):
            continue
        for call in _calls(module.tree):
            func = call.func
            if not isinstance(func, ast.Attribute) or _is_super_call(func.value):
                continue
            hints = _receiver_names(func.value)
            if (
                func.attr in ALWAYS_WRITES
                or (func.attr in QUERYSET_WRITES and hints & QUERYSET_HINTS)
                or (func.attr in INSTANCE_WRITES and not call.args)
            ):
                yield Violation(
                    "writes", module.name, call.lineno, f".{func.attr}() outside a service"
                )


def organisation_filter(source: Source) -> Iterator[Violation]:
    for module in source.production():
        if module.name in TENANCY_HOMES or "models" in module.parts:
            continue
        for call in _calls(module.tree):
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr in ORG_FILTER_METHODS:
                keywords = {kw.arg for kw in call.keywords}
                if keywords & ORG_KEYWORDS:
                    yield Violation(
                        "organisation-filter",
                        module.name,
                        call.lineno,
                        f".{func.attr}(organisation=…) outside the tenancy helper",
                    )


def pure(source: Source, pure_modules: set[str]) -> Iterator[Violation]:
    """`pure_modules` are module or package names; everything under a package is pure too."""

    def is_pure(name: str) -> bool:
        return any(name == p or name.startswith(p + ".") for p in pure_modules)

    for module in source.production():
        if not is_pure(module.name):
            continue
        for dotted, line in imports_of(module):
            top = dotted.split(".")[0]
            ours = resolve(source, dotted)
            if top == "django" or (top == source.root and ours is not None and not is_pure(ours)):
                yield Violation("pure", module.name, line, f"imports {dotted}")


def core_layer(source: Source) -> Iterator[Violation]:
    for module in source.production():
        if app_of(module.name) != "core":
            continue
        for dotted, line in imports_of(module):
            ours = resolve(source, dotted)
            if ours and app_of(ours) in DOMAIN_APPS | {"api", "web"}:
                yield Violation("core-layer", module.name, line, f"core imports {ours}")


def api_assembly(source: Source) -> Iterator[Violation]:
    for module in source.production():
        if app_of(module.name) not in DOMAIN_APPS:
            continue
        for dotted, line in imports_of(module):
            ours = resolve(source, dotted)
            if ours and app_of(ours) == "api":
                yield Violation("api-assembly", module.name, line, f"imports {ours}")


def _presentation(module: Module) -> bool:
    """Views, API routes, forms, template tags: the layer that speaks HTTP."""
    return any(
        part in PRESENTATION or part.endswith(("_views", "_api")) for part in module.parts[2:]
    ) or app_of(module.name) in {"api", "web"}


def http_below_views(source: Source) -> Iterator[Violation]:
    for module in source.production():
        if _presentation(module) or len(module.parts) < 3:
            continue
        for node in ast.walk(module.tree):
            name = (
                node.id
                if isinstance(node, ast.Name)
                else node.attr
                if isinstance(node, ast.Attribute)
                else None
            )
            if name in HTTP_NAMES:
                yield Violation("http-below-views", module.name, node.lineno, f"uses {name}")


TASK_DECORATORS = {"task", "job_handler"}


def tasks(source: Source) -> Iterator[Violation]:
    for module in source.production():
        if module.parts[-1] == "tasks":
            continue
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = (
                    target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                )
                if name in TASK_DECORATORS:
                    yield Violation(
                        "tasks", module.name, node.lineno, f"@{name} {node.name} outside tasks"
                    )


def module_size(source: Source) -> Iterator[Violation]:
    for module in source.production():
        if module.lines > MAX_MODULE_LINES:
            yield Violation(
                "module-size", module.name, 1, f"{module.lines} lines > {MAX_MODULE_LINES}"
            )


def _statements_score(body: list[ast.stmt]) -> int:
    """Decision points in a block, counted as ruff's C901 (and PyCQA's mccabe) count them.

    Branches of statements only: `if`/`elif`, loops, `except` and `else` of a `try`, `case`
    arms, and nested functions (with their own branches). Boolean operators and comprehensions
    do not count, as in ruff.
    """
    score = 0
    for stmt in body:
        match stmt:
            case ast.If():
                score += 1 + _statements_score(stmt.body)
                orelse = stmt.orelse
                while len(orelse) == 1 and isinstance(orelse[0], ast.If):  # elif
                    score += 1 + _statements_score(orelse[0].body)
                    orelse = orelse[0].orelse
                score += _statements_score(orelse)
            case ast.For() | ast.AsyncFor() | ast.While():
                score += 1 + _statements_score(stmt.body) + _statements_score(stmt.orelse)
            case ast.With() | ast.AsyncWith():
                score += _statements_score(stmt.body)
            case ast.Try() | ast.TryStar():
                score += _statements_score(stmt.body) + _statements_score(stmt.finalbody)
                score += (1 if stmt.orelse else 0) + _statements_score(stmt.orelse)
                for handler in stmt.handlers:
                    score += 1 + _statements_score(handler.body)
            case ast.Match():
                for case in stmt.cases:
                    irrefutable = isinstance(case.pattern, ast.MatchAs) and not case.pattern.pattern
                    score += (0 if irrefutable and not case.guard else 1) + _statements_score(
                        case.body
                    )
            case ast.FunctionDef() | ast.AsyncFunctionDef():
                score += 1 + _statements_score(stmt.body)
            case ast.ClassDef():
                score += _statements_score(stmt.body)
            case _:
                pass
    return score


def complexity_of(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """McCabe's number of one function: 1 + its decision points."""
    return 1 + _statements_score(function.body)


def complexity(source: Source) -> Iterator[Violation]:
    for module in source.production():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                score = complexity_of(node)
                if score > MAX_COMPLEXITY:
                    yield Violation(
                        "complexity",
                        module.name,
                        node.lineno,
                        f"{node.name} scores {score} > {MAX_COMPLEXITY}",
                        f"{module.name}.{node.name}",
                    )


def import_graph(source: Source) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in source.modules}
    for module in source.production():
        for dotted, _line in imports_of(module):
            target = resolve(source, dotted)
            if target and target != module.name and target in graph:
                graph[module.name].add(target)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components with more than one module: each is at least one import cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def cycles(source: Source) -> Iterator[Violation]:
    for component in strongly_connected(import_graph(source)):
        yield Violation("cycles", component[0], 1, "import cycle through " + ", ".join(component))


def refusal_by_hand(source: Source) -> Iterator[Violation]:
    """A page does not let a refusal through by hand; ``web.views.attempt`` does, in one place.

    Broken: ``try: write() / except PermissionDenied: raise / except OretraceError as e: ...``.
    Kept: ``with errors_as_messages(request): write()`` (or ``errors_on_form(form)``), which
    shows a domain error and lets ``PermissionDenied`` through to the 403.
    """
    for module in source.production():
        if not _presentation(module):
            continue
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.ExceptHandler) or node.type is None:
                continue
            caught = node.type.attr if isinstance(node.type, ast.Attribute) else ""
            caught = node.type.id if isinstance(node.type, ast.Name) else caught
            (first, *more) = node.body
            reraises = not more and isinstance(first, ast.Raise) and first.exc is None
            if caught == "PermissionDenied" and reraises:
                yield Violation(
                    "refusal-by-hand", module.name, node.lineno, "except PermissionDenied: raise"
                )
