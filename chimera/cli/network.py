"""`chimera network policy|proposals|judge|decide|lock|unlock`: the agent network's operators.

Network operators set what may leave their tenant, see every proposal with the judge's verdict,
answer the ones waiting for a human (overriding the judge), and lock or unlock an agent's
collaborations.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import typer

from chimera.cli.output import console, emit_json, run_async
from chimera.control import network
from chimera.mcp.errors import McpCallError
from chimera.platform.db import tenant_tx
from chimera.resources import open_services
from chimera.runs import collab

app = typer.Typer(help="Agent network (OpenClaw): policy, proposals, locks.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TenantOpt = Annotated[str, typer.Option(envvar="CHIMERA_TENANT", help="Your tenant id.")]
UserOpt = Annotated[str, typer.Option(envvar="CHIMERA_USER", help="Who acts (recorded).")]
EXPECTED = (ValueError, LookupError, PermissionError, McpCallError)


def _done(data: Any, as_json: bool, text: str) -> None:
    if as_json:
        emit_json(data)
    else:
        console.print(text)


@app.command()
def policy(
    tenant: TenantOpt,
    sharing: Annotated[
        Literal["none", "tenant", "network"], typer.Option(help="What may leave the tenant.")
    ],
    review: Annotated[
        Literal["always", "never"], typer.Option(help="Whether answers wait for a human.")
    ] = "always",
    json_out: JsonOpt = False,
) -> None:
    """Set the tenant's network policy."""

    async def main() -> dict[str, Any]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            await network.set_policy(conn, tenant, sharing, review)
            return {"tenant_id": tenant, "sharing": sharing, "collab_review": review}

    row = run_async(main, as_json=json_out, expected=EXPECTED)
    _done(row, json_out, f"{tenant}: sharing {sharing}, human review {review}")


@app.command()
def proposals(
    tenant: TenantOpt,
    agent: Annotated[str | None, typer.Option(help="Only this agent's proposals.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List the tenant's proposals with the judge's verdicts and any lock."""

    async def main() -> list[dict[str, Any]]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            return await network.proposals(conn, agent)

    rows = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        verdict = f"judge {r['verdict']} {r['score']:.2f} ({r['review']})" if r["verdict"] else ""
        lock = f" LOCKED: {r['locked']}" if r["locked"] else ""
        console.print(
            f"{r['proposal_id']} {r['side']:<8} {r['agent_id']} <-> {r['peer_agent_id']}"
            f" {r['status']:<9} {verdict}{lock}"
        )


@app.command()
def judge(
    agent: Annotated[str, typer.Option(help="The agent whose inbox is judged.")],
    json_out: JsonOpt = False,
) -> None:
    """Judge the agent's new proposals once (answers at once under review=never)."""

    async def main() -> list[dict[str, Any]]:
        async with open_services() as svc:
            return await collab.judge_inbox(svc, agent)

    rows = run_async(main, as_json=json_out, expected=EXPECTED)
    _done(
        rows,
        json_out,
        "\n".join(f"{v['proposal_id']} {v['verdict']} {v['status']}" for v in rows)
        or "nothing new",
    )


@app.command()
def decide(
    tenant: TenantOpt,
    user: UserOpt,
    proposal_id: Annotated[str, typer.Argument(help="A received proposal's id.")],
    decision: Annotated[Literal["accept", "reject"], typer.Argument(help="accept or reject.")],
    reason: Annotated[str, typer.Option(help="Why (sent to the proposer).")] = "",
    json_out: JsonOpt = False,
) -> None:
    """Answer a received proposal as a human (overrides the judge's verdict)."""

    async def main() -> dict[str, Any]:
        async with open_services() as svc:
            return await collab.decide(svc, tenant, proposal_id, decision, user, reason)

    row = run_async(main, as_json=json_out, expected=EXPECTED)
    _done(row, json_out, f"{proposal_id}: {row['status']}")


@app.command()
def lock(
    tenant: TenantOpt,
    user: UserOpt,
    agent: Annotated[str, typer.Argument(help="The agent to lock.")],
    reason: Annotated[str, typer.Option(help="Why (shown to whoever is refused).")],
    json_out: JsonOpt = False,
) -> None:
    """Lock an agent's collaborations: proposals to or from it and its answers are refused."""

    async def main() -> dict[str, Any]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            await network.lock(conn, tenant, agent, user, reason)
            return {"agent_id": agent, "locked": True, "reason": reason}

    row = run_async(main, as_json=json_out, expected=EXPECTED)
    _done(row, json_out, f"{agent}: locked ({reason})")


@app.command()
def unlock(
    tenant: TenantOpt,
    agent: Annotated[str, typer.Argument(help="The agent to unlock.")],
    json_out: JsonOpt = False,
) -> None:
    """Lift an agent's lock."""

    async def main() -> dict[str, Any]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            if not await network.unlock(conn, agent):
                raise LookupError(f"{agent} is not locked in tenant {tenant}")
            return {"agent_id": agent, "locked": False}

    row = run_async(main, as_json=json_out, expected=EXPECTED)
    _done(row, json_out, f"{agent}: unlocked")
