"""`chimera worker` and `chimera fleet status|schedule|run|decide`: the fleet on Temporal."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import Annotated, Any

import typer
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from chimera.cli.output import console, emit_json, fail, run_async
from chimera.control.errors import RunInProgress
from chimera.control.personas import PersonaError, list_personas, load_persona
from chimera.fleet.client import (
    campaign_workflow_id,
    connect,
    context_values,
    start_campaign,
    task_queue,
)
from chimera.fleet.contracts import CampaignRunInput, ReviewDecisionInput, RunResult
from chimera.fleet.schedules import AgentRef, ensure_perception_schedules
from chimera.fleet.status import fleet_status
from chimera.fleet.worker import run_worker, tenants_of
from chimera.platform.settings import Settings
from chimera.platform.temporal import TemporalError, ensure_temporal
from state.context import Context
from state.inputs import RunRequest
from state.review import ReviewDecision

app = typer.Typer(help="The fleet on Temporal: schedules, campaign workflows, status.")
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
EXPECTED: tuple[type[BaseException], ...] = (
    ValueError,
    LookupError,
    PersonaError,
    RunInProgress,
    TemporalError,
    RPCError,
    WorkflowUpdateFailedError,
)


def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=256, help="Activity slots.")] = 4,
    task_queue_names: Annotated[
        list[str] | None,
        typer.Option("--task-queue", help="Queues to poll (default: every tenant's queue)."),
    ] = None,
    tenant_rate: Annotated[
        float | None,
        typer.Option(min=0.01, help="Activity starts per second per tenant, fleet-wide."),
    ] = None,
) -> None:
    """Run a fleet worker until SIGTERM / SIGINT (any number of them, on any machine)."""
    settings = Settings()

    async def main() -> None:
        await run_worker(
            settings,
            concurrency=concurrency,
            queues=task_queue_names or (),
            tenant_rate=tenant_rate,
        )

    run_async(main, as_json=False, expected=EXPECTED)


@app.command()
def status(json_out: JsonOpt = False) -> None:
    """Schedules, running workflows and pollers per tenant queue."""
    settings = Settings()

    async def main() -> dict[str, Any]:
        endpoint = await asyncio.to_thread(ensure_temporal, settings)
        client = await connect(settings)
        queues = [task_queue(settings, t) for t in await tenants_of(settings)]
        found = asdict(await fleet_status(client, endpoint.address, queues))
        return {**found, "ui": endpoint.ui_url}

    data = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:
        emit_json(data)
        return
    console.print(
        f"Temporal at [bold]{data['address']}[/]" + (f", Web UI {data['ui']}" if data["ui"] else "")
    )
    console.print(f"schedules: {len(data['schedules'])}; running: {data['running']}")
    for queue, pollers in data["pollers"].items():
        console.print(f"  {queue}: {pollers} worker(s) polling")


@app.command()
def schedule(
    every: Annotated[int, typer.Option(min=1, help="Seconds between an agent's passes.")] = 300,
    agent: Annotated[list[str] | None, typer.Option(help="Only these agents.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Create or update each agent's perception schedule."""
    settings = Settings()

    async def main() -> list[str]:
        personas, _ = await asyncio.to_thread(list_personas, settings.agents_dir)
        refs = [AgentRef(p.tenant_id, p.agent_id) for p in personas]
        if agent:
            unknown = sorted(set(agent) - {r.agent_id for r in refs})
            if unknown:
                raise LookupError(f"unknown agent(s): {', '.join(unknown)}")
            refs = [r for r in refs if r.agent_id in agent]
        return await ensure_perception_schedules(await connect(settings), settings, refs, every)

    ids = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:
        emit_json({"schedules": ids, "every_s": every})
    else:
        console.print(f"{len(ids)} perception schedule(s), every {every}s: {', '.join(ids)}")


@app.command("run")
def run_command(
    agent: Annotated[str, typer.Option(help="Agent id (a folder under agents/).")],
    goal: Annotated[str, typer.Option(help="The campaign goal.")],
    campaign: Annotated[str | None, typer.Option(help="Campaign id (default: from goal).")] = None,
    wait: Annotated[bool, typer.Option(help="Wait for the run's end or first pause.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Start a campaign as a `CampaignRun` workflow on the fleet."""
    settings = Settings()

    async def main() -> dict[str, Any]:
        persona = await asyncio.to_thread(load_persona, settings.agents_dir, agent)
        request = RunRequest(
            tenant_id=persona.tenant_id, agent_id=agent, goal=goal, campaign_id=campaign
        )
        client = await connect(settings)
        handle = await start_campaign(
            client,
            settings,
            CampaignRunInput(
                tenant_id=request.tenant_id,
                agent_id=agent,
                goal=request.goal,
                campaign_id=request.campaign,
                context=context_values(Context()),
            ),
        )
        out: dict[str, Any] = {"workflow_id": handle.id, "campaign_id": request.campaign}
        if wait:
            out["status"] = await _wait_for_pause_or_end(handle)
        return out

    data = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:
        emit_json(data)
    else:
        console.print(json.dumps(data, indent=2, default=str))


async def _wait_for_pause_or_end(handle: Any) -> dict[str, Any] | None:
    """The run's state once it ended or paused (polled through the workflow's query)."""
    for _ in range(1200):
        desc = await handle.describe()
        if desc.status is not None and desc.status.name != "RUNNING":
            return asdict(await handle.result())
        current: RunResult | None = await handle.query("status", result_type=RunResult)
        if current is not None and current.state == "paused":
            return asdict(current)
        await asyncio.sleep(0.5)
    return None


@app.command()
def decide(
    review_id: str,
    tenant: Annotated[str, typer.Option(envvar="CHIMERA_TENANT", help="Your tenant id.")],
    campaign: Annotated[str, typer.Option(help="The campaign whose workflow waits.")],
    decision: Annotated[str, typer.Option(help="approve, edit, reject or respond.")],
    text: Annotated[str | None, typer.Option(help="Edited text (edit).")] = None,
    reason: Annotated[str | None, typer.Option(help="Why (reject, respond).")] = None,
    user: Annotated[str | None, typer.Option(help="Reviewer id or email.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Send a review decision to the campaign's workflow (an update, applied once)."""
    settings = Settings()
    try:
        checked = ReviewDecision(decision=decision, text=text, reason=reason, user_id=user)
    except ValueError as exc:
        fail(str(exc), as_json=json_out)

    async def main() -> dict[str, Any]:
        client = await connect(settings)
        handle = client.get_workflow_handle(campaign_workflow_id(tenant, campaign))
        payload = ReviewDecisionInput(
            tenant_id=tenant, review_id=review_id, decision=checked.model_dump(mode="json")
        )
        result = await handle.execute_update("decide", payload, result_type=RunResult)
        return asdict(result)

    data = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:
        emit_json(data)
    else:
        console.print(json.dumps(data, indent=2, default=str))
