"""`chimera audit --campaign ID`: trace each side effect to its plan; list refusals too.

Text output shows both; `--json` prints the chains (a list, as before) or, with `--refusals`,
the refusals and re-judgements (specs/governance.md §5.1).
"""

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
    refusals: Annotated[
        bool, typer.Option("--refusals", help="Only refusals and re-judgements.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Show, per side effect, its plan, task, verdict, reviewer and steps; then every refusal."""

    async def main() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            chains = [] if refusals else await audit_trail.trace(conn, campaign, effect)
            return chains, await audit_trail.refusals(conn, campaign)

    chains, refused = run_async(main, as_json=json_out, expected=(ValueError, LookupError))
    if json_out:
        emit_json(refused if refusals else chains)
        return
    if not refusals:
        _print_chains(campaign, chains)
    console.print(f"[bold]Refusals and re-judgements ({len(refused)})[/]")
    for r in refused:
        task = r["task_id"] or "-"
        console.print(f"    {r['created_at'][:19]}  {r['event']:<22} {task}  {r['reason']}")


def _print_chains(campaign: str, chains: list[dict[str, Any]]) -> None:
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
