"""`chimera mentions list`: the engagement ledger, what each agent decided about each mention."""

from __future__ import annotations

from typing import Annotated, Any, get_args

import typer
from rich.table import Table

from chimera.cli.output import console, emit_json, fail, run_async
from chimera.control import mentions as ledger
from chimera.platform.db import tenant_tx
from chimera.resources import open_services
from state.engagement import Status

app = typer.Typer(help="The engagement ledger: every mention and its decision.")
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
STATUSES: tuple[str, ...] = get_args(Status)


@app.command("list")
def list_mentions(
    tenant: Annotated[str, typer.Option(envvar="CHIMERA_TENANT", help="Your tenant id.")],
    agent: Annotated[str | None, typer.Option(help="Only this agent's mentions.")] = None,
    status: Annotated[str | None, typer.Option(help=" | ".join(STATUSES))] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Most rows shown.")] = 200,
    json_out: JsonOpt = False,
) -> None:
    """List the tenant's mentions with their status, intent and reason, newest first."""
    if status is not None and status not in STATUSES:
        fail(f"status must be one of {', '.join(STATUSES)}, got {status!r}", as_json=json_out)

    async def main() -> list[dict[str, Any]]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            return await ledger.list_decisions(conn, agent, status, limit)

    rows = run_async(main, as_json=json_out, expected=(ValueError, LookupError))
    if json_out:
        emit_json(rows)
        return
    if not rows:
        console.print("No mentions recorded for this selection.")
        return
    table = Table("agent", "mention", "platform", "author", "status", "intent", "reason", "text")
    for r in rows:
        table.add_row(
            r["agent_id"],
            r["mention_id"],
            r["platform"],
            r["author_handle"],
            r["status"],
            r["intent"] or "-",
            r["reason"] or "-",
            str(r["text"])[:60],
        )
    console.print(table)
