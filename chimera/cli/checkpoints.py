"""`chimera checkpoints prune`: delete checkpoints of finished threads past their retention."""

from __future__ import annotations

from typing import Annotated

import typer

from chimera.cli.output import console, emit_json, run_async
from chimera.resources import open_services
from chimera.runs.retention import PruneReport, parse_age, prune_checkpoints

app = typer.Typer(help="Checkpoint storage maintenance.", no_args_is_help=True)


@app.command()
def prune(
    older_than: Annotated[
        str | None,
        typer.Option(
            help="Age like 30d, 12h, 90m (default: CHIMERA_CHECKPOINT_RETENTION_DAYS days)."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would go.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Prune checkpoints of finished threads (never a paused or running one)."""

    async def main() -> PruneReport:
        async with open_services(with_host=False) as svc:
            age = older_than or f"{svc.settings.checkpoint_retention_days}d"
            return await prune_checkpoints(svc, older_than=parse_age(age), dry_run=dry_run)

    if older_than is not None:
        try:
            parse_age(older_than)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--older-than") from exc
    report = run_async(main, as_json=json_out, expected=(ValueError,))
    if json_out:
        emit_json(report.as_dict())
        return
    verb = "Would prune" if dry_run else "Pruned"
    console.print(
        f"{verb} {len(report.pruned)} finished threads last checkpointed before "
        f"{report.cutoff.isoformat()}; {report.rows} rows deleted."
    )
    for thread_id, why in sorted(report.kept.items()):
        console.print(f"  kept {thread_id}: {why}")
