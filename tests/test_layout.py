"""The repository layout and its one-way dependency rules (specs/technical.md §1), via `ast`.

No services are needed: packages are imported only to see where they resolve, and every other
rule is read from the source of each module.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("chimera", "state", "nodes", "graphs", "skills", "servers")


def modules(package: str) -> list[Path]:
    """Every Python module of a first-party package."""
    found = sorted((REPO / package).rglob("*.py"))
    assert found, f"{package}/ has no modules"
    return found


def imported_packages(path: Path) -> set[str]:
    """Top-level package names a module imports (relative imports stay in their own package)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and _is_dynamic_import(node):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value.split(".")[0])
    return names


def _is_dynamic_import(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in {"import_module", "__import__"} and bool(node.args)


def violations(package: str, forbidden: set[str]) -> dict[str, set[str]]:
    """Modules of `package` importing any of `forbidden`, with what they import."""
    out = {}
    for path in modules(package):
        bad = imported_packages(path) & forbidden
        if bad:
            out[str(path.relative_to(REPO))] = bad
    return out


@pytest.mark.parametrize("package", PACKAGES)
def test_each_first_party_package_resolves_inside_the_repo(package: str) -> None:
    """specs/technical.md §1"""
    module = importlib.import_module(package)
    assert module.__file__ is not None
    assert Path(module.__file__).resolve().is_relative_to(REPO)


def test_the_layout_scan_sees_real_imports() -> None:
    """specs/technical.md §1"""
    assert "nodes" in imported_packages(REPO / "graphs" / "campaign.py")
    assert "chimera" in imported_packages(REPO / "servers" / "runtime.py")


def test_servers_never_import_graphs_nodes_or_skills() -> None:
    """specs/technical.md §1"""
    assert violations("servers", {"graphs", "nodes", "skills"}) == {}


def test_state_imports_no_other_first_party_package() -> None:
    """specs/technical.md §1"""
    assert violations("state", {"chimera", "nodes", "graphs", "servers", "skills"}) == {}


def test_nodes_never_import_servers() -> None:
    """specs/technical.md §1, specs/_meta.md §2.1"""
    assert violations("nodes", {"servers", "graphs"}) == {}


def test_skills_import_neither_nodes_graphs_nor_servers() -> None:
    """specs/technical.md §1, specs/_meta.md §2.1"""
    assert violations("skills", {"nodes", "graphs", "servers"}) == {}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_starts_with_a_docstring(package: str) -> None:
    """specs/technical.md §1 (ruff-clean, pydocstyle), specs/functional.md §10.4"""
    missing = []
    for path in modules(package):
        source = path.read_text()
        if path.name == "__init__.py" and not source.strip():
            continue
        if ast.get_docstring(ast.parse(source, filename=str(path))) is None:
            missing.append(str(path.relative_to(REPO)))
    assert missing == []


# The layers of ARCHITECTURE §1, lowest first. A module may import its own layer and the ones
# below it, never one above; the middle layer's packages may use each other (no cycles).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("state",),
    ("chimera.platform",),
    ("chimera.mcp", "chimera.control", "chimera.memory", "chimera.signals", "chimera.strategies"),
    ("chimera.resources",),
    ("skills",),
    ("nodes",),
    ("graphs",),
    ("chimera.runs",),
    ("chimera.serving", "chimera.fleet", "chimera.cli"),
)
FIRST_PARTY = {"chimera", "state", "nodes", "graphs", "skills", "servers"}


def module_name(path: Path) -> str:
    """`chimera/runs/runner.py` -> `chimera.runs.runner` (a package is its `__init__`)."""
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(name: str) -> str:
    """The first-party module an import names (a submodule when `from pkg import mod`)."""
    as_module = REPO / Path(*name.split("."))
    if as_module.with_suffix(".py").exists() or (as_module / "__init__.py").exists():
        return name
    return name.rpartition(".")[0]


def _in_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def module_imports(path: Path) -> tuple[set[str], list[str]]:
    """(first-party modules imported at module level, first-party imports inside functions)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top: set[str] = set()
    nested: list[str] = []

    def names(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names]
        if node.level or not node.module:
            return []
        return [_resolve(f"{node.module}.{a.name}") for a in node.names]

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _in_type_checking(child):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found = [n for n in names(child) if n.split(".")[0] in FIRST_PARTY]
                (nested.extend if in_function else top.update)(found)
            nested_scope = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, in_function or nested_scope)

    visit(tree, False)
    return top, nested


def layer_of(module: str) -> int | None:
    """Index of the module's layer in LAYERS (None: not layered, e.g. `chimera` itself)."""
    for index, packages in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in packages):
            return index
    return None


def layered_modules() -> dict[str, Path]:
    """Every module of the layered packages (servers apart: they are separate processes)."""
    found = {}
    for package in ("chimera", "state", "nodes", "graphs", "skills"):
        for path in modules(package):
            found[module_name(path)] = path
    return found


def upward_imports() -> dict[str, set[str]]:
    """Module -> the modules it imports from a higher layer."""
    out: dict[str, set[str]] = {}
    for name, path in layered_modules().items():
        mine = layer_of(name)
        if mine is None:
            continue
        top, _ = module_imports(path)
        bad = {m for m in top if (theirs := layer_of(m)) is not None and theirs > mine}
        if bad:
            out[name] = bad
    return out


def import_cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module in the module-level import graph."""
    graph = {name: module_imports(path)[0] for name, path in layered_modules().items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for name in graph:
        if name not in index:
            connect(name)
    return cycles


def test_no_module_imports_a_higher_layer() -> None:
    """specs/technical.md §1 (ARCHITECTURE §1 dependency direction)"""
    assert upward_imports() == {}


def test_the_layer_rule_sees_an_upward_import() -> None:
    """specs/technical.md §1: the rule would fail on the cycle this layout removed."""
    assert layer_of("chimera.platform.db") < layer_of("nodes.judge")  # type: ignore[operator]
    assert layer_of("graphs.campaign") < layer_of("chimera.serving.graphs")  # type: ignore[operator]
    assert layer_of("chimera") is None


def test_there_is_no_import_cycle() -> None:
    """specs/technical.md §1"""
    assert import_cycles() == []


def test_no_first_party_import_hides_inside_a_function() -> None:
    """specs/technical.md §1: no import placed in a function to dodge a cycle."""
    hidden = {
        name: nested
        for name, path in layered_modules().items()
        if (nested := module_imports(path)[1])
    }
    assert hidden == {}


def test_servers_import_only_state_and_the_platform() -> None:
    """specs/technical.md §1: servers are separate processes standing on the floor only."""
    bad = {}
    for path in modules("servers"):
        top, nested = module_imports(path)
        wrong = {
            m
            for m in top | set(nested)
            if m.split(".")[0] == "chimera" and not m.startswith("chimera.platform")
        }
        if wrong:
            bad[module_name(path)] = wrong
    assert bad == {}
