"""`chimera review list|show|approve|edit|reject`: decide escalated work and resume its run."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from chimera.cli.output import console, emit_json, print_reviews, print_summary, run_async
from chimera.control import expiry, repo
from chimera.control.summaries import RunSummary
from chimera.platform.db import tenant_tx
from chimera.resources import open_services
from chimera.runs import inbox
from chimera.runs.threads import AlreadyDecided, ReviewNotFound
from state.review import InvalidResumeValue, ReviewDecision

app = typer.Typer(help="Human review of escalated artifacts.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TenantOpt = Annotated[str, typer.Option(envvar="CHIMERA_TENANT", help="Your tenant id.")]
UserOpt = Annotated[
    str | None,
    typer.Option(
        envvar="CHIMERA_USER",
        help="Reviewer (id or email) recorded with the decision; default: the tenant's"
        " default reviewer.",
    ),
]
IdsArg = Annotated[list[str], typer.Argument(help="Review ids or interrupt ids.")]
EXPECTED = (
    ReviewNotFound,
    AlreadyDecided,
    InvalidResumeValue,
    ValueError,
    LookupError,
    PermissionError,
)


def _row(r: dict[str, Any]) -> dict[str, Any]:
    item = r["item"]
    return {
        "review_id": r["review_id"],
        "interrupt_id": r.get("interrupt_id"),
        "agent_id": r["agent_id"],
        "task_id": r["task_id"],
        "campaign_id": r["campaign_id"],
        "status": r["status"],
        "risk_category": item["risk_category"],
        "confidence": item["confidence_score"],
        "expires_at": str(r["expires_at"]),
        "text": item["content_preview"]["text"],
        "reasons": item["reason_for_escalation"],
    }


async def _touch(tenant: str, campaign: str | None = None) -> None:
    """Apply expiry first; only when something is due, with the MCP host (it may publish)."""
    async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
        due = await expiry.due(conn, campaign)
    if due:
        async with open_services() as svc:
            await inbox.expire_due(svc, tenant, campaign_id=campaign)


@app.command("list")
def list_(
    tenant: TenantOpt,
    campaign: Annotated[str | None, typer.Option()] = None,
    agent: Annotated[str | None, typer.Option(help="Only this agent's reviews.")] = None,
    risk: Annotated[str | None, typer.Option(help="Risk category contains this.")] = None,
    status: Annotated[
        str, typer.Option(help="pending, approve, edit, reject, respond, expired or all")
    ] = "pending",
    json_out: JsonOpt = False,
) -> None:
    """List reviews of your tenant across all runs (due ones are expired first)."""

    async def main() -> list[dict[str, Any]]:
        await _touch(tenant, campaign)
        async with open_services(with_host=False) as svc:
            rows = await inbox.list_reviews(
                svc,
                tenant,
                status=None if status == "all" else status,
                agent_id=agent,
                campaign_id=campaign,
                risk=risk,
            )
        return [_row(r) for r in rows]

    rows = run_async(main, as_json=json_out, expected=EXPECTED)
    emit_json(rows) if json_out else print_reviews(rows, title=f"Reviews ({status})")


@app.command()
def show(review_id: str, tenant: TenantOpt, json_out: JsonOpt = False) -> None:
    """Show one review item in full."""

    async def main() -> dict[str, Any]:
        await _touch(tenant)
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            row = await repo.get_review(conn, review_id)
        if row is None:
            raise ReviewNotFound(f"review {review_id!r} not found for tenant {tenant!r}")
        return _row(row)

    row = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:
        emit_json(row)
        return
    for key, value in row.items():
        console.print(f"[bold]{key:>14}[/] {value}")


def _decide(
    ids: list[str], tenant: str, decision: ReviewDecision, user: str | None, json_out: bool
) -> None:
    async def main() -> list[RunSummary]:
        async with open_services() as svc:
            return await inbox.decide(svc, tenant, ids, decision, user=user)

    summaries = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:
        emit_json(
            [s.as_dict() for s in summaries] if len(summaries) > 1 else summaries[0].as_dict()
        )
        return
    for summary in summaries:
        print_summary(summary)


@app.command()
def approve(
    ids: IdsArg, tenant: TenantOpt, user: UserOpt = None, json_out: JsonOpt = False
) -> None:
    """Approve one or many: each item is published exactly once."""
    _decide(ids, tenant, ReviewDecision(decision="approve"), user, json_out)


@app.command()
def edit(
    ids: IdsArg,
    tenant: TenantOpt,
    text: Annotated[str, typer.Option(help="New text.")],
    user: UserOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Replace the text, then publish it."""
    _decide(ids, tenant, ReviewDecision(decision="edit", text=text), user, json_out)


@app.command()
def reject(
    ids: IdsArg,
    tenant: TenantOpt,
    reason: Annotated[str, typer.Option(help="Why; it reaches the replanner.")],
    user: UserOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Reject one or many with a reason; nothing is published."""
    _decide(ids, tenant, ReviewDecision(decision="reject", reason=reason), user, json_out)
