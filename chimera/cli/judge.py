"""`chimera judge`: try the judge on drafts without running a campaign (a dry run)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from chimera.cli.output import console, explain, fail, run_async
from chimera.platform.settings import Settings
from chimera.runs.dry_judge import DEFAULT_GOAL, Draft, dry_run, read_drafts

EXPECTED: tuple[type[BaseException], ...] = (ValueError, LookupError)


def _drafts(
    text: str | None, source: str, kind: str, platform: str | None, path: Path | None, as_json: bool
) -> list[Draft]:
    if (text is None) == (path is None):
        fail("give exactly one of --text or --file", as_json=as_json)
    if path is not None:
        try:
            return read_drafts(path)
        except ValueError as exc:
            fail(str(exc), as_json=as_json)
    try:
        fields = {"text": text, "source": source, "kind": kind, "platform": platform}
        return [Draft.model_validate(fields)]
    except ValidationError as exc:
        fail(explain(exc), as_json=as_json)


def judge(
    agent: Annotated[str, typer.Option(help="Agent id (a folder under agents/).")],
    goal: Annotated[str, typer.Option(help="Campaign goal the drafts serve.")] = DEFAULT_GOAL,
    text: Annotated[str | None, typer.Option(help="One draft to judge.")] = None,
    source: Annotated[str, typer.Option(help="For a reply: the text it answers.")] = "",
    kind: Annotated[str, typer.Option(help="post or reply.")] = "post",
    platform: Annotated[str | None, typer.Option(help="Default: the persona's first.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="JSON lines: id, kind, text, source, platform.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Dry-run the judge on drafts: decision, confidence, risk and reasons; nothing is published."""
    if not 1 <= len(goal) <= 2000:
        fail("--goal must be 1-2000 characters", as_json=json_out)
    drafts = _drafts(text, source, kind, platform, file, json_out)

    async def main() -> list[dict[str, Any]]:
        settings = await asyncio.to_thread(Settings)
        return await dry_run(settings, agent, goal, drafts)

    verdicts: list[dict[str, Any]] = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:  # JSON lines: one object per draft
        sys.stdout.write("".join(json.dumps(v, ensure_ascii=False) + "\n" for v in verdicts))
        return
    for v in verdicts:
        style = {"approve": "green", "review": "yellow"}.get(v["decision"], "red")
        console.print(
            f"{v['id']}: [{style}]{v['decision']}[/] {v['confidence']:.2f} {v['risk_category']}"
        )
        for reason in v["reasons"]:
            console.print(f"  - {reason}")
