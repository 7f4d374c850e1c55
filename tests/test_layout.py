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
