"""`chimera agents pause|resume`: stop an agent from publishing or starting runs, and back.

Calls `chimera.control.agent_state`; the operator is authorised and the change audited.
"""

from __future__ import annotations

from typing import Annotated

import typer

from chimera.cli.output import console, emit_json, run_async
from chimera.control import agent_state, reviewers
from chimera.platform.db import tenant_tx
from chimera.resources import open_services

app = typer.Typer(help="Operator control of agents.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TenantOpt = Annotated[str, typer.Option(envvar="CHIMERA_TENANT", help="Your tenant id.")]
UserOpt = Annotated[
    str, typer.Option(envvar="CHIMERA_USER", help="Operator or admin (id or email) making it.")
]
EXPECTED = (ValueError, LookupError, PermissionError)


def _set(agent: str, tenant: str, user: str, paused: bool, json_out: bool) -> None:
    async def main() -> dict[str, str]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            who = await reviewers.authorize(conn, user, reviewers.OPERATOR_ROLES)
            return await agent_state.set_paused(conn, tenant, agent, paused, str(who["id"]))

    row = run_async(main, as_json=json_out, expected=EXPECTED)
    emit_json(row) if json_out else console.print(f"{row['agent_id']} is {row['status']}")


@app.command()
def pause(agent: str, tenant: TenantOpt, user: UserOpt = "", json_out: JsonOpt = False) -> None:
    """Pause an agent: it publishes nothing and starts no run until resumed."""
    _set(agent, tenant, user, True, json_out)


@app.command()
def resume(agent: str, tenant: TenantOpt, user: UserOpt = "", json_out: JsonOpt = False) -> None:
    """Resume a paused agent (its due scheduled posts go out on the next outbox pass)."""
    _set(agent, tenant, user, False, json_out)
