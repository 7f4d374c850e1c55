"""Generate `notebooks/*.ipynb` from the cell lists below, so notebooks are reviewed as code.

Run `python scripts/make_notebooks.py` after editing; `tests/e2e/test_notebooks.py` executes
the generated files and checks they match this script. Cells call `chimera.runs.notebook` only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
AGENT = "agent-ethiopia-fashion-001"

SETUP = f"""from chimera.runs.notebook import Lab

lab = await Lab.open()  # embedded Postgres + Redis under CHIMERA_HOME, MCP servers over stdio
AGENT = "{AGENT}\""""

QUICKSTART = [
    new_markdown_cell(
        "# 01 Quickstart\n\nRun a campaign in-process on the embedded default (no key, no "
        "network), inspect its state, and approve the work the judge escalated to a human."
    ),
    new_code_cell(SETUP),
    new_code_cell(
        'summary = await lab.run(AGENT, "Promote the new Ethiopian summer fashion line.")\n'
        'summary.state, [t["status"] for t in summary.tasks]'
    ),
    new_markdown_cell("The run pauses on a review. The thread's state and the pending interrupt:"),
    new_code_cell(
        "state = await lab.state(summary.thread_id)\n"
        'print(state["next"])\n'
        'review = state["interrupts"][0]["review"]\n'
        'review["risk_category"], review["confidence_score"], review["content_preview"]["text"]'
    ),
    new_code_cell(
        "done = await lab.decide_all(summary)  # approve every pending review\n"
        'assert done.state == "done", done\n'
        'done.state, len(done.published), [p["platform"] for p in done.published]'
    ),
    new_code_cell('report = (await lab.state(done.thread_id))["values"]["report"]\nreport.tasks'),
    new_code_cell("await lab.close()"),
]

CHECKPOINTS = [
    new_markdown_cell(
        "# 02 Checkpoints\n\nEvery superstep is a Postgres checkpoint: read a thread's history, "
        "replay it from a past checkpoint (side effects are reused, never repeated), and fork "
        "a new branch from a past checkpoint with edited state."
    ),
    new_code_cell(SETUP),
    new_code_cell(
        'summary = await lab.decide_all(await lab.run(AGENT, "Checkpoint tour: promote the '
        'Ethiopian summer line on TikTok."))\nthread = summary.thread_id\n'
        "history = await lab.history(thread)\n"
        "[(s.step, s.source, s.next) for s in history]"
    ),
    new_markdown_cell("Replay from the checkpoint just before the report:"),
    new_code_cell(
        'before_report = next(s for s in history if s.next == ("report",))\n'
        "ran = await lab.replay(thread, before_report.checkpoint_id)\n"
        'assert ran == ["report"], ran\n'
        "ran"
    ),
    new_markdown_cell(
        "Fork from the same checkpoint with edited state: the branch's report shows the edit, "
        "the original branch is still in the history."
    ),
    new_code_cell(
        'ran = await lab.fork(thread, before_report.checkpoint_id, {"replans": 7}, '
        'as_node="dispatch", goto="report")\n'
        'forked = (await lab.state(thread))["values"]["report"]\n'
        'assert ran == ["report"] and forked.replans == 7, (ran, forked)\n'
        "original = await lab.state(thread, before_report.checkpoint_id)\n"
        'ran, forked.replans, original["values"].get("replans")'
    ),
    new_code_cell("await lab.close()"),
]

CALIBRATION = [
    new_markdown_cell(
        "# 03 Judge calibration\n\nFirst the judge on the labelled set"
        " (bench/data/judge_set.jsonl): per confidence bucket, the share of drafts fit to"
        " publish, for the semantic judge and"
        " the keyword judge it replaced. Then the judge's confidence against what happened to each"
        " artifact of real campaigns: auto-approved, rejected, or the reviewer's decision."
    ),
    new_code_cell(
        SETUP + "\nimport os\nfrom pathlib import Path\n\n"
        "from chimera.runs.notebook import save_calibration_plot\n"
        'OUT = Path(os.environ.get("CHIMERA_NOTEBOOK_OUT", "."))'
    ),
    new_code_cell(
        "from chimera.runs.notebook import labelled_set_reliability\n\n"
        'doc, curve = await labelled_set_reliability(OUT / "judge_reliability.png")\n'
        'assert doc["semantic"]["unsafe_auto_approved"] == 0\n'
        '[(row["bucket"], row["fit_to_publish"]) for row in doc["semantic"]["calibration"]]'
    ),
    new_code_cell("from IPython.display import Image\n\nImage(filename=str(curve))"),
    new_code_cell(
        "goals = [\n"
        '    "Calibration: promote the Ethiopian summer line on TikTok.",\n'
        '    "Calibration: launch sustainable Addis fabrics on Instagram.",\n'
        '    "Calibration: celebrate local designers of the summer collection.",\n'
        "]\n"
        "for i, goal in enumerate(goals):  # reject every other campaign's reviews\n"
        '    decide = (lambda r: "reject") if i % 2 else None\n'
        "    await lab.decide_all(await lab.run(AGENT, goal), decide)"
    ),
    new_code_cell(
        'rows = await lab.calibration("tenant-xyz")\n'
        'assert rows, "no judged artifacts"\n'
        'png = await save_calibration_plot(rows, OUT / "judge_calibration.png")\n'
        "len(rows), png.name"
    ),
    new_code_cell("Image(filename=str(png))"),
    new_code_cell("await lab.close()"),
]

BOOKS = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_checkpoints.ipynb": CHECKPOINTS,
    "03_judge_calibration.ipynb": CALIBRATION,
}


def build(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    """A notebook with the venv's python3 kernel and stable cell ids."""
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    return nb


def render(name: str) -> str:
    """The notebook file's text as this script writes it."""
    return nbformat.writes(build(BOOKS[name])) + "\n"


def main() -> int:
    """Write every notebook; return 0."""
    NOTEBOOKS.mkdir(exist_ok=True)
    for name in BOOKS:
        (NOTEBOOKS / name).write_text(render(name))
        print(f"wrote notebooks/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
