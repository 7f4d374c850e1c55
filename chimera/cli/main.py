"""`chimera run` and the command groups."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from chimera.cli import (
    agents,
    audit,
    campaign,
    checkpoints,
    fleet,
    judge,
    memory,
    mentions,
    models,
    network,
    perceive,
    pnl,
    posts,
    review,
    services,
    users,
    wallet,
)
from chimera.cli.output import console, describe_event, emit_json, print_summary, run_async
from chimera.cli.posts import print_calendar, upcoming
from chimera.control.summaries import RunSummary
from chimera.platform.logs import configure_logging
from chimera.platform.settings import Settings
from chimera.resources import open_services
from chimera.runs.runner import run_campaign
from chimera.runs.threads import RunInProgress
from state.context import Context

app = typer.Typer(
    help="Chimera: autonomous influencer agents on LangGraph and MCP.", no_args_is_help=True
)
app.add_typer(review.app, name="review")
app.add_typer(services.app, name="services")
app.add_typer(users.app, name="users")
app.add_typer(campaign.app, name="campaign")
app.command("audit")(audit.audit)
app.add_typer(checkpoints.app, name="checkpoints")
app.add_typer(memory.app, name="memory")
app.add_typer(mentions.app, name="mentions")
app.add_typer(network.app, name="network")
app.add_typer(wallet.app, name="wallet")
app.add_typer(posts.app, name="posts")
app.add_typer(agents.app, name="agents")
app.command(name="perceive")(perceive.perceive)
app.command(name="judge")(judge.judge)
app.command(name="doctor")(models.doctor)
app.add_typer(models.prompts_app, name="prompts")
app.command(name="pnl")(pnl.pnl_command)
app.add_typer(fleet.app, name="fleet")
app.command(name="worker")(fleet.worker)


@app.callback()
def configure() -> None:
    """Configure logging from CHIMERA_LOG_LEVEL and CHIMERA_LOG_FORMAT."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)


REFUSED_EXIT = 3
"""`chimera run` exit code when the plan was refused as a whole (specs/governance.md §3.2)."""
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    LookupError,
    PermissionError,
    RunInProgress,
)


@app.command()
def run(
    agent: Annotated[str, typer.Option(help="Agent id (a folder under agents/).")],
    goal: Annotated[str, typer.Option(help="The campaign goal, 1-2000 characters.")],
    campaign: Annotated[
        str | None, typer.Option(help="Campaign id (default: from agent+goal).")
    ] = None,
    approve_threshold: Annotated[float, typer.Option(min=0, max=1)] = 0.90,
    review_threshold: Annotated[float, typer.Option(min=0, max=1)] = 0.70,
    max_parallel_workers: Annotated[int, typer.Option(min=1)] = 8,
    platform: Annotated[
        list[str] | None,
        typer.Option(help="Publish only on this platform (repeatable); overrides the goal."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Run (or continue) a campaign: plan, fan out, judge, publish, escalate."""

    def progress(node: str, update: dict[str, object]) -> None:
        message = describe_event(node, update)
        if message and not json_out:
            console.print(f"[cyan]{node:>12}[/] {message}")

    async def main() -> tuple[RunSummary, list[dict[str, Any]]]:
        context = Context(
            approve_threshold=approve_threshold,
            review_threshold=review_threshold,
            max_parallel_workers=max_parallel_workers,
            platforms=tuple(platform or ()),
        )
        async with open_services() as svc:
            summary = await run_campaign(
                svc,
                agent_id=agent,
                goal=goal,
                campaign_id=campaign,
                context=context,
                progress=progress,
            )
            return summary, await upcoming(svc, summary.tenant_id, agent)

    if not json_out:
        console.print(f"[bold]Running[/] {agent}: {goal[:80]}")
    again = f"chimera run --agent {agent} --goal {goal!r}" + (
        f" --campaign {campaign}" if campaign else ""
    )
    on_stop = f"finished steps are checkpointed; `{again}` resumes the run"
    summary, scheduled = run_async(
        main, as_json=json_out, expected=EXPECTED_ERRORS, on_stop=on_stop
    )
    if json_out:
        emit_json({**summary.as_dict(), "scheduled": scheduled})
    else:
        print_summary(summary)
        print_calendar(scheduled)
    if summary.state == "refused":
        raise typer.Exit(REFUSED_EXIT)


def main() -> None:
    """Console-script entry point."""
    app()
