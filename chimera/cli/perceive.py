"""`chimera perceive --agent ID (--once | --interval S)`: the perception loop from the CLI."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError

from chimera.cli.output import console, emit_json, fail, run_async
from chimera.mcp.errors import McpCallError
from chimera.resources import open_services
from chimera.runs.perception import PerceiveReport, perceive_once
from chimera.runs.polling import poll
from chimera.runs.threads import RunInProgress
from state.context import Context
from state.types import UtcTimestamp

EXPECTED: tuple[type[BaseException], ...] = (
    ValueError,
    LookupError,
    PermissionError,
    McpCallError,
    RunInProgress,
)


def _show(report: PerceiveReport, as_json: bool) -> None:
    data: dict[str, Any] = {
        "detected": report.detected,
        "flagged": report.flagged,
        "published": report.published,
        "outcomes": report.outcomes,
        "duplicates": report.duplicates,
        "runs": report.runs,
        "expired": report.expired,
        "mentions_waiting": report.mentions_waiting,
        "engagement_run": report.engagement_run,
    }
    if as_json:
        emit_json(data)
        return
    console.print(
        f"[bold]{len(report.detected)}[/] trend(s), {report.flagged} flagged item(s),"
        f" {report.duplicates} duplicate(s) dropped"
    )
    for alert, outcome in report.outcomes.items():
        campaign = report.runs.get(alert, "")
        console.print(f"  {alert}: [cyan]{outcome}[/] {campaign}")
    if report.expired:
        console.print(f"  {len(report.expired)} expired review(s) took their default action")
    if report.engagement_run:
        console.print(
            f"  {report.mentions_waiting} mention(s) waiting: engagement run"
            f" [cyan]{report.engagement_run}[/]"
        )


def _check(once: bool, interval: float | None, now: str | None, json_out: bool) -> None:
    """Refuse contradictory or malformed options with a clear error (exit 2)."""
    if once == (interval is not None):
        fail("give exactly one of --once or --interval S", as_json=json_out)
    if now is not None:
        try:
            TypeAdapter(UtcTimestamp).validate_python(now)
        except ValidationError:
            fail(f"--now must be ISO-8601 UTC ending in Z, got {now!r}", as_json=json_out)


def perceive(
    agent: Annotated[str, typer.Option(help="Agent id (a folder under agents/).")],
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
    interval: Annotated[
        float | None,
        typer.Option(
            min=1, help="Poll every S seconds until interrupted; new mentions run a pass at once."
        ),
    ] = None,
    now: Annotated[
        str | None, typer.Option(help="Window end (ISO-8601 UTC, default: now).")
    ] = None,
    window_hours: Annotated[int, typer.Option(min=1, max=720)] = 4,
    min_cluster_score: Annotated[float, typer.Option(min=0, max=1)] = 0.75,
    relevance_threshold: Annotated[float, typer.Option(min=0, max=1)] = 0.80,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Detect trends for an agent and start campaign runs for relevant alerts."""
    _check(once, interval, now, json_out)
    ctx = Context(relevance_threshold=relevance_threshold)

    async def main() -> None:
        async with open_services() as svc:

            async def one_pass() -> None:
                report = await perceive_once(
                    svc,
                    agent,
                    ctx=ctx,
                    now=now,
                    window_hours=window_hours,
                    min_cluster_score=min_cluster_score,
                )
                _show(report, json_out)

            if interval is None:
                await one_pass()
                return
            await poll(svc, agent, interval, one_pass)

    run_async(
        main,
        as_json=json_out,
        expected=EXPECTED,
        on_stop="the agent was marked offline; the next pass picks up where this one stopped",
    )
