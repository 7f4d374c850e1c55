"""`chimera services start|stop|status`: the embedded Postgres and Redis."""

from __future__ import annotations

from typing import Annotated

import typer

from chimera.cli.output import console, emit_json, fail
from chimera.platform import embedded as svc
from chimera.platform.bootstrap import bootstrap
from chimera.platform.settings import Settings
from chimera.platform.temporal import (
    TemporalError,
    ensure_temporal,
    stop_temporal,
    temporal_status,
)

app = typer.Typer(help="Start, stop and inspect the embedded services.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@app.command()
def start(json_out: JsonOpt = False) -> None:
    """Start (or reuse) Postgres, Redis, the devnet and Temporal, and apply migrations."""
    settings = Settings()
    try:
        endpoints = bootstrap(settings)
        temporal = ensure_temporal(settings)
    except (svc.ServiceError, TemporalError) as exc:
        fail(str(exc), as_json=json_out, code=1)
    info = {
        "postgres": "embedded" if endpoints.embedded_pg else "external",
        "redis": endpoints.redis,
        "chain": endpoints.chain_rpc or "in-process eth-tester (inside the wallet server)",
        "temporal": temporal.address,
        "home": str(settings.home),
    }
    emit_json(info) if json_out else console.print(f"[green]services ready[/] {info}")


@app.command()
def stop(json_out: JsonOpt = False) -> None:
    """Stop the embedded servers of this CHIMERA_HOME (external ones are never touched)."""
    settings = Settings()
    stopped = svc.stop_services(settings) + stop_temporal(settings)
    emit_json({"stopped": stopped}) if json_out else console.print(
        f"stopped: {stopped or 'nothing'}"
    )


@app.command()
def status(json_out: JsonOpt = False) -> None:
    """Show whether each service is running."""
    settings = Settings()
    rows = [*svc.status(settings), svc.ServiceStatus("temporal", *temporal_status(settings))]
    if json_out:
        emit_json([r.__dict__ for r in rows])
        return
    for r in rows:
        mark = "[green]running[/]" if r.running else "[red]stopped[/]"
        console.print(f"{r.name:>9} {mark} {r.detail}")
