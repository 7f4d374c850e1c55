"""`chimera users add|list`: the tenant's people (reviewers, operators, admins).

Reviewers are users: every review decision records one, and only reviewers and admins of the
review's tenant may decide it.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from chimera.cli.output import console, emit_json, run_async
from chimera.control import repo, reviewers
from chimera.platform.db import tenant_tx
from chimera.resources import open_services

app = typer.Typer(
    help="Users of a tenant: reviewers, network operators, admins.", no_args_is_help=True
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TenantOpt = Annotated[str, typer.Option(envvar="CHIMERA_TENANT", help="Your tenant id.")]
EXPECTED = (ValueError, LookupError, PermissionError)


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: str(row[k]) for k in ("id", "tenant_id", "email", "role", "created_at")}


@app.command()
def add(
    tenant: TenantOpt,
    email: Annotated[str, typer.Option(help="The person's email (unique per tenant).")],
    role: Annotated[str, typer.Option(help="network_operator, reviewer or admin.")],
    json_out: JsonOpt = False,
) -> None:
    """Create a user, or change an existing user's role."""

    async def main() -> dict[str, Any]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            if not await repo.tenant_exists(conn, tenant):
                raise LookupError(f"tenant {tenant!r} not found (register an agent for it first)")
            return _public(await reviewers.add_user(conn, tenant, email, role))

    row = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:
        emit_json(row)
    else:
        console.print(f"[green]{row['role']}[/] {row['email']} ({row['id']}) in {row['tenant_id']}")


@app.command("list")
def list_(tenant: TenantOpt, json_out: JsonOpt = False) -> None:
    """List the tenant's users."""

    async def main() -> list[dict[str, Any]]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            return [_public(r) for r in await reviewers.list_users(conn)]

    rows = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:
        emit_json(rows)
        return
    for row in rows:
        console.print(f"{row['id']:>18}  {row['role']:<16} {row['email']}")
