"""`chimera run` and the command groups."""

from __future__ import annotations

from typing import Annotated

import typer

from chimera.cli import (
    audit,
    campaign,
    checkpoints,
    fleet,
    memory,
    perceive,
    review,
    services,
    users,
    wallet,
)
from chimera.cli.output import console, describe_event, emit_json, print_summary, run_async
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
app.add_typer(wallet.app, name="wallet")
app.command(name="perceive")(perceive.perceive)
app.add_typer(fleet.app, name="fleet")
app.command(name="worker")(fleet.worker)


@app.callback()
def configure() -> None:
    """Configure logging from CHIMERA_LOG_LEVEL and CHIMERA_LOG_FORMAT."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)


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
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Run (or continue) a campaign: plan, fan out, judge, publish, escalate."""

    def progress(node: str, update: dict[str, object]) -> None:
        message = describe_event(node, update)
        if message and not json_out:
            console.print(f"[cyan]{node:>12}[/] {message}")

    async def main() -> RunSummary:
        context = Context(
            approve_threshold=approve_threshold,
            review_threshold=review_threshold,
            max_parallel_workers=max_parallel_workers,
        )
        async with open_services() as svc:
            return await run_campaign(
                svc,
                agent_id=agent,
                goal=goal,
                campaign_id=campaign,
                context=context,
                progress=progress,
            )

    if not json_out:
        console.print(f"[bold]Running[/] {agent}: {goal[:80]}")
    summary = run_async(main, as_json=json_out, expected=EXPECTED_ERRORS)
    if json_out:
        emit_json(summary.as_dict())
    else:
        print_summary(summary)


def main() -> None:
    """Console-script entry point."""
    app()
