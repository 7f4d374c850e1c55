"""`chimera campaign show|update`: operators change goal, persona constraints and thresholds.

Each update moves the campaign's `state_version` by one with a conditional write (OCC): with
`--expect-version`, an update racing another on that version fails instead of overwriting it.
Drafts of a running campaign built on an older version are invalidated by the judge when a field
that matters to them changed, and drafted again.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from chimera.cli.output import console, emit_json, run_async
from chimera.control import audit, occ, reviewers
from chimera.control import usage as llm_usage
from chimera.control.policy import (
    PolicyError,
    PolicyOverrides,
    campaign_overrides,
    parse_overrides,
)
from chimera.platform.db import tenant_tx
from chimera.resources import open_services

app = typer.Typer(help="Campaign settings (OCC-versioned).", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TenantOpt = Annotated[str, typer.Option(envvar="CHIMERA_TENANT", help="Your tenant id.")]
UserOpt = Annotated[
    str, typer.Option(envvar="CHIMERA_USER", help="Operator or admin (id or email) making it.")
]
EXPECTED = (ValueError, LookupError, PermissionError, occ.VersionConflict, PolicyError)


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "campaign_id": row["id"],
        "agent_id": row["agent_id"],
        "goal": row["objective"],
        "state_version": row["state_version"],
        "policy": campaign_overrides(row["config"]).model_dump(exclude_defaults=True),
    }


@app.command()
def show(campaign_id: str, tenant: TenantOpt, json_out: JsonOpt = False) -> None:
    """Show a campaign's goal, version and policy overrides."""

    async def main() -> dict[str, Any]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            return _view(await occ.read_campaign(conn, campaign_id))

    view = run_async(main, as_json=json_out, expected=EXPECTED)
    emit_json(view) if json_out else console.print(view)


@app.command()
def usage(campaign_id: str, tenant: TenantOpt, json_out: JsonOpt = False) -> None:
    """Show a campaign's model token usage per task and role (cost accounting)."""

    async def main() -> list[dict[str, Any]]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            return await llm_usage.per_task(conn, campaign_id)

    rows = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        console.print(
            f"{r['task_id']:>18} {r['role']:>9} {r['model']} {r['prompt_version']}"
            f" calls={r['calls']} in={r['input_tokens']} out={r['output_tokens']}"
            f" cost={r['cost_usd'] or 'unpriced'}"
        )
    if not rows:
        console.print("no model calls recorded")


async def _update(
    tenant: str,
    campaign_id: str,
    user: str,
    goal: str | None,
    overrides: PolicyOverrides,
    expect_version: int | None,
) -> dict[str, Any]:
    """Authorise the operator, apply the change under OCC and audit it."""
    async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
        who = await reviewers.authorize(conn, user, reviewers.OPERATOR_ROLES)
        version, changed = await occ.update_campaign(
            conn,
            campaign_id,
            goal=goal.strip() if goal else None,
            overrides=overrides,
            expected_version=expect_version,
            user_id=str(who["id"]),
        )
        await audit.campaign_updated(conn, tenant, campaign_id, version, changed, str(who["id"]))
    return {"campaign_id": campaign_id, "state_version": version, "changed": sorted(changed)}


@app.command()
def update(
    campaign_id: str,
    tenant: TenantOpt,
    user: UserOpt,
    goal: Annotated[str | None, typer.Option(help="New goal, 1-2000 characters.")] = None,
    forbid: Annotated[list[str] | None, typer.Option(help="Add a forbidden topic.")] = None,
    sensitive: Annotated[list[str] | None, typer.Option(help="Add a sensitive topic.")] = None,
    approve_threshold: Annotated[float | None, typer.Option(min=0, max=1)] = None,
    review_threshold: Annotated[float | None, typer.Option(min=0, max=1)] = None,
    review_ttl_minutes: Annotated[int | None, typer.Option(min=1)] = None,
    review_default_action: Annotated[str | None, typer.Option(help="approve or reject")] = None,
    sponsor: Annotated[str | None, typer.Option(help="The campaign's paying sponsor.")] = None,
    media_budget_usd: Annotated[
        float | None, typer.Option(min=0, help="Cap on the campaign's media generation spend.")
    ] = None,
    expect_version: Annotated[int | None, typer.Option(help="Fail unless at this version.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Change the campaign; its state_version moves by one."""
    if goal is not None and not 1 <= len(goal.strip()) <= 2000:
        raise typer.BadParameter("goal must be 1-2000 characters", param_hint="--goal")
    fields: dict[str, Any] = {
        "forbidden_topics": forbid or [],
        "sensitive_topics": sensitive or [],
        "approve_threshold": approve_threshold,
        "review_threshold": review_threshold,
        "review_ttl_minutes": review_ttl_minutes,
        "review_default_action": review_default_action,
        "sponsor": sponsor,
        "media_budget_usd": media_budget_usd,
    }

    async def main() -> dict[str, Any]:
        overrides = parse_overrides(
            {k: v for k, v in fields.items() if v not in (None, [])}, "options"
        )
        return await _update(tenant, campaign_id, user, goal, overrides, expect_version)

    result = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:
        emit_json(result)
    else:
        console.print(
            f"[green]{campaign_id}[/] is now at version {result['state_version']}"
            f" (changed: {', '.join(result['changed'])})"
        )
