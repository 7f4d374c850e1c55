"""`chimera pnl`: an agent's or campaign's profit and loss and ROI over a period.

The numbers come from `chimera.control.pnl` (the one implementation a console reuses); this
module parses and validates the options and prints.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from chimera.cli.output import console, emit_json, fail, run_async
from chimera.control.pnl import PnlQuery, by_campaign, by_task, pnl
from chimera.platform.db import Conn, tenant_tx
from chimera.resources import open_services

When = Annotated[
    str | None,
    typer.Option(help="ISO-8601 date or time (UTC unless it names an offset)."),
]


def parse_when(value: str | None, name: str) -> datetime | None:
    """An option's ISO-8601 date/time as an aware UTC datetime.

    Raises:
        ValueError: not an ISO-8601 date or time.

    """
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--{name} {value!r} is not an ISO-8601 date or time") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


class Breakdown(StrEnum):
    """A breakdown `chimera pnl --by` adds to the report."""

    CAMPAIGN = "campaign"
    TASK = "task"


async def _report(conn: Conn, query: PnlQuery, by: set[str]) -> dict[str, Any]:
    """The P&L with the breakdowns asked for (`campaigns`, `tasks`)."""
    report = await pnl(conn, query)
    if "campaign" in by:
        report["campaigns"] = await by_campaign(conn, query)
    if "task" in by:
        report["tasks"] = await by_task(conn, query)
    return report


def _print(report: dict[str, Any], scope: str) -> None:
    """The report as text: one line per section, then warnings and breakdowns."""
    console.print(f"[bold]P&L[/] {scope}")
    for section in ("income", "costs", "engagement", "roi"):
        values = report[section]
        console.print(f"[bold]{section:>10}[/] " + ", ".join(f"{k} {v}" for k, v in values.items()))
    llm = report["llm"]
    console.print(
        f"[bold]{'tokens':>10}[/] in {llm['input_tokens']}, out {llm['output_tokens']},"
        f" calls {llm['calls']}, cost {llm['cost']}"
    )
    console.print(f"[bold]{'net':>10}[/] {report['net']} {report['currency']}")
    for warning in report["warnings"]:
        console.print(f"[yellow]warning:[/] {warning}")
    for one in report.get("campaigns", []):
        console.print(f"  {one['campaign_id']}: net {one['net']} (costs {one['costs']['total']})")
    for task in report.get("tasks", []):
        costs = ", ".join(f"{k} {v}" for k, v in task["costs"].items())
        console.print(f"  {task['campaign_id'] or '-'} / {task['task_id'] or '-'}: {costs}")


def pnl_command(
    tenant: Annotated[str, typer.Option(envvar="CHIMERA_TENANT", help="Your tenant id.")],
    agent: Annotated[str | None, typer.Option(help="Only this agent.")] = None,
    campaign: Annotated[str | None, typer.Option(help="Only this campaign.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="Period start (inclusive).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Period end (exclusive).")] = None,
    by: Annotated[
        list[Breakdown] | None,
        typer.Option(help="Add a breakdown: each campaign's P&L, or costs per task (repeatable)."),
    ] = None,
    per_campaign: Annotated[
        bool, typer.Option("--by-campaign", help="Same as --by campaign.")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Income, costs by kind, net, engagement and ROI (cost per 1000 views, per engagement)."""
    try:
        query = PnlQuery(tenant, agent, campaign, parse_when(start, "from"), parse_when(end, "to"))
    except ValueError as exc:
        fail(str(exc), as_json=json_out)
    if query.start and query.end and query.start >= query.end:
        fail("--from must be before --to", as_json=json_out)
    breakdowns = {str(b) for b in by or []} | ({"campaign"} if per_campaign else set())

    async def main() -> dict[str, Any]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            return await _report(conn, query, breakdowns)

    report = run_async(main, as_json=json_out, expected=(ValueError, LookupError))
    if json_out:
        emit_json(report)
        return
    _print(report, " / ".join(x for x in (tenant, agent, campaign) if x))
