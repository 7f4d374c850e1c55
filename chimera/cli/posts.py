"""`chimera posts list|cancel|reschedule|outbox`: the content calendar for operators.

The commands call `chimera.control.calendar` (the same functions a web console would call);
every change is authorised (operator or admin) and audited.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from chimera.cli.output import console, emit_json, run_async
from chimera.control import calendar, reviewers
from chimera.platform.db import tenant_tx
from chimera.resources import Services, open_services
from chimera.runs.outbox import Drained, drain_once, run_outbox
from state.types import parse_utc, to_utc_z

app = typer.Typer(help="Scheduled and published content: list, cancel, reschedule.")
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TenantOpt = Annotated[str, typer.Option(envvar="CHIMERA_TENANT", help="Your tenant id.")]
UserOpt = Annotated[
    str, typer.Option(envvar="CHIMERA_USER", help="Operator or admin (id or email) making it.")
]
EXPECTED = (ValueError, LookupError, PermissionError)


def parse_when(value: str | None, name: str) -> datetime | None:
    """An ISO-8601 UTC time ending in `Z`, or a clear error."""
    if value is None:
        return None
    if not value.endswith("Z"):
        raise ValueError(f"{name} must be an ISO-8601 UTC time ending in Z, got {value!r}")
    try:
        return parse_utc(value)
    except ValueError as exc:
        raise ValueError(f"{name} is not an ISO-8601 time: {value!r}") from exc


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: to_utc_z(v) if isinstance(v, datetime) else v for k, v in row.items()}


async def upcoming(svc: Services, tenant_id: str, agent_id: str) -> list[dict[str, Any]]:
    """The agent's scheduled posts, soonest first."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        rows = await calendar.list_posts(conn, agent_id=agent_id, status="scheduled")
    return [_json(r) for r in rows]


def print_calendar(rows: list[dict[str, Any]]) -> None:
    """The calendar as a table (or a line saying nothing is scheduled)."""
    if not rows:
        console.print("[dim]Calendar: nothing scheduled.[/]")
        return
    table = Table(title="Calendar")
    for column in ("post", "agent", "platform", "kind", "status", "slot", "text"):
        table.add_column(column, overflow="fold")
    for r in rows:
        slot = r.get("publish_at") or r.get("published_at") or ""
        cells = (r["post_id"], r["agent_id"], r["platform"], r["kind"], r["status"], slot)
        table.add_row(*cells, r["text"][:60])
    console.print(table)


@app.command("list")
def list_(
    tenant: TenantOpt,
    agent: Annotated[str | None, typer.Option(help="Only this agent.")] = None,
    status: Annotated[str | None, typer.Option(help="|".join(calendar.STATUSES))] = None,
    start: Annotated[str | None, typer.Option("--from", help="Slots at/after (ISO Z).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Slots before (ISO Z).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """The calendar: the tenant's scheduled and published posts by slot."""

    async def main() -> list[dict[str, Any]]:
        window = parse_when(start, "--from"), parse_when(end, "--to")
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            rows = await calendar.list_posts(
                conn, agent_id=agent, status=status, start=window[0], end=window[1]
            )
        return [_json(r) for r in rows]

    rows = run_async(main, as_json=json_out, expected=EXPECTED)
    emit_json(rows) if json_out else print_calendar(rows)


async def _intervene(tenant: str, user: str, post_id: str, at: datetime | None) -> dict[str, Any]:
    async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
        who = await reviewers.authorize(conn, user, reviewers.OPERATOR_ROLES)
        if at is None:
            return _json(await calendar.cancel(conn, tenant, post_id, str(who["id"])))
        return _json(await calendar.reschedule(conn, tenant, post_id, at, str(who["id"])))


@app.command()
def cancel(post_id: str, tenant: TenantOpt, user: UserOpt = "", json_out: JsonOpt = False) -> None:
    """Cancel a scheduled post: it will never be published."""
    row = run_async(
        lambda: _intervene(tenant, user, post_id, None), as_json=json_out, expected=EXPECTED
    )
    emit_json(row) if json_out else console.print(f"cancelled {row['post_id']}")


@app.command()
def reschedule(
    post_id: str,
    at: Annotated[str, typer.Option("--at", help="New slot, ISO-8601 UTC ending in Z.")],
    tenant: TenantOpt,
    user: UserOpt = "",
    json_out: JsonOpt = False,
) -> None:
    """Move a scheduled post to another time."""

    async def main() -> dict[str, Any]:
        return await _intervene(tenant, user, post_id, parse_when(at, "--at"))

    row = run_async(main, as_json=json_out, expected=EXPECTED)
    emit_json(row) if json_out else console.print(f"{row['post_id']} now at {row['publish_at']}")


@app.command()
def outbox(
    tenant: TenantOpt,
    once: Annotated[bool, typer.Option(help="One pass, then exit.")] = False,
    poll_s: Annotated[float, typer.Option(min=0.5, help="Seconds between passes.")] = 15.0,
    json_out: JsonOpt = False,
) -> None:
    """Publish the tenant's due scheduled posts (one pass, or until interrupted)."""

    async def main() -> Drained:
        async with open_services() as svc:
            if once:
                return await drain_once(svc, tenant)
            await run_outbox(svc, tenant, poll_s)
        return Drained()

    try:
        done = run_async(main, as_json=json_out, expected=EXPECTED)
    except (KeyboardInterrupt, asyncio.CancelledError):
        done = Drained()
    if json_out:
        emit_json({"published": done.published, "refused": done.refused})
        return
    console.print(f"published {done.published}")
    for post_id, reason in done.refused.items():
        console.print(f"refused {post_id}: {reason}")
