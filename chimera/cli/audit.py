"""`chimera audit --campaign ID`: trace each post or payment back to the plan that asked for it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from chimera.cli.output import console, emit_json, run_async
from chimera.control import audit as audit_trail
from chimera.platform.db import tenant_tx
from chimera.resources import open_services

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def audit(
    campaign: Annotated[str, typer.Option(help="Campaign id.")],
    tenant: Annotated[str, typer.Option(envvar="CHIMERA_TENANT", help="Your tenant id.")],
    effect: Annotated[
        str | None, typer.Option("--effect", help="Only this post id or transaction hash.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Show, per side effect, its plan, task, artifact, verdict, reviewer and every step."""

    async def main() -> list[dict[str, Any]]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            return await audit_trail.trace(conn, campaign, effect)

    chains = run_async(main, as_json=json_out, expected=(ValueError, LookupError))
    if json_out:
        emit_json(chains)
        return
    if not chains:
        console.print(f"No side effects recorded for campaign {campaign}.")
    for c in chains:
        console.print(
            f"[bold]{c['effect']}[/] {c['external_id']} <- task {c['task_id']}"
            f" <- plan {c['plan_id']} ({c['planner']}); verdict {c['verdict']};"
            f" reviewer {c['reviewer'] or '-'} ({c['review_decision'] or 'no review'})"
        )
        for step in c["steps"]:
            console.print(f"    {step['created_at'][:19]}  {step['event']:<20} {step['detail']}")
