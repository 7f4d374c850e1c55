"""The notebooks run top to bottom in a fresh kernel on the embedded default, on the test
session's temporary CHIMERA_HOME, and are exactly what `scripts/make_notebooks.py` generates.

Proves specs/functional.md §10.3.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

from chimera.platform.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.slow

NOTEBOOKS = REPO_ROOT / "notebooks"
_spec = importlib.util.spec_from_file_location(
    "make_notebooks", REPO_ROOT / "scripts" / "make_notebooks.py"
)
assert _spec is not None and _spec.loader is not None
make_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_notebooks)


def kernel_env(settings: Settings, out: Path) -> dict[str, str]:
    """The kernel's environment: the session's home, an output dir, no tracing, no analytics."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANGSMITH_", "LANGCHAIN_"))}
    return {**env, "CHIMERA_HOME": str(settings.home), "CHIMERA_NOTEBOOK_OUT": str(out)}


def venv_kernel(where: Path) -> AsyncKernelManager:
    """A kernel on this virtualenv's interpreter, whatever `python3` specs the machine has."""
    spec_dir = where / "kernels" / "chimera-venv"
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "Chimera (.venv)", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    specs = KernelSpecManager(kernel_dirs=[str(spec_dir.parent)], ensure_native_kernel=False)
    return AsyncKernelManager(kernel_name="chimera-venv", kernel_spec_manager=specs)


async def execute(name: str, settings: Settings, out: Path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel on this virtualenv."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb,
        km=venv_kernel(out),
        timeout=600,
        resources={"metadata": {"path": str(REPO_ROOT)}},
    )
    await client.async_execute(env=kernel_env(settings, out))
    return nb


def outputs(nb: nbformat.NotebookNode) -> str:
    """All text outputs of the executed notebook."""
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            texts.append(out.get("text", "") + str(out.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


@pytest.mark.parametrize("name", sorted(make_notebooks.BOOKS))
def test_notebooks_are_generated_by_the_script(name: str) -> None:
    """specs/technical.md §7.6, specs/functional.md §10.3"""
    assert (NOTEBOOKS / name).read_text() == make_notebooks.render(name), (
        "run `python scripts/make_notebooks.py`"
    )


async def test_quickstart_runs_a_campaign_and_approves_its_review(
    settings: Settings, tmp_path: Path
) -> None:
    """specs/technical.md §7.6, specs/functional.md §10.3"""
    text = outputs(await execute("01_quickstart.ipynb", settings, tmp_path))
    assert "('done'" in text and "finance_medium" in text


async def test_checkpoints_notebook_replays_and_forks(settings: Settings, tmp_path: Path) -> None:
    """specs/technical.md §7.6, specs/functional.md §10.3"""
    text = outputs(await execute("02_checkpoints.ipynb", settings, tmp_path))
    assert "['report']" in text and "7" in text


async def test_calibration_notebook_saves_a_plot(settings: Settings, tmp_path: Path) -> None:
    """specs/technical.md §7.6, specs/functional.md §10.3"""
    nb = await execute("03_judge_calibration.ipynb", settings, tmp_path)
    png = tmp_path / "judge_calibration.png"
    assert png.read_bytes().startswith(b"\x89PNG")
    assert any(
        "image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", [])
    )
