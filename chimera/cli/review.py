"""`chimera review list|show|approve|edit|reject`: decide escalated work and resume its run."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from chimera import repo
from chimera.app import open_services
from chimera.cli.output import console, emit_json, print_reviews, print_summary, run_async
from chimera.db import tenant_tx
from chimera.runner import AlreadyDecided, ReviewNotFound, resume_review
from chimera.summary import RunSummary
from state.review import InvalidResumeValue, ReviewDecision

app = typer.Typer(help="Human review of escalated artifacts.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TenantOpt = Annotated[str, typer.Option(envvar="CHIMERA_TENANT", help="Your tenant id.")]
UserOpt = Annotated[str | None, typer.Option(help="Reviewer user id recorded with the decision.")]
EXPECTED = (ReviewNotFound, AlreadyDecided, InvalidResumeValue, ValueError, LookupError)


def _row(r: dict[str, Any]) -> dict[str, Any]:
    item = r["item"]
    return {
        "review_id": r["review_id"],
        "task_id": r["task_id"],
        "campaign_id": r["campaign_id"],
        "status": r["status"],
        "risk_category": item["risk_category"],
        "confidence": item["confidence_score"],
        "expires_at": str(r["expires_at"]),
        "text": item["content_preview"]["text"],
        "reasons": item["reason_for_escalation"],
    }


@app.command("list")
def list_(
    tenant: TenantOpt,
    campaign: Annotated[str | None, typer.Option()] = None,
    status: Annotated[str, typer.Option(help="pending, approve, edit, reject or all")] = "pending",
    json_out: JsonOpt = False,
) -> None:
    """List reviews of your tenant."""

    async def main() -> list[dict[str, Any]]:
        async with open_services(with_host=False) as svc, tenant_tx(svc.pool, tenant) as conn:
            rows = await repo.list_reviews(
                conn, status=None if status == "all" else status, campaign_id=campaign
            )
        return [_row(r) for r in rows]

    rows = run_async(main, as_json=json_out, expected=EXPECTED)
    emit_json(rows) if json_out else print_reviews(rows, title=f"Reviews ({status})")


@app.command()
def show(review_id: str, tenant: TenantOpt, json_out: JsonOpt = False) -> None:
    """Show one review item in full."""

    async def main() -> dict[str, Any]:
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


def _decide(review_id: str, tenant: str, decision: ReviewDecision, json_out: bool) -> None:
    async def main() -> RunSummary:
        async with open_services() as svc:
            return await resume_review(
                svc, tenant_id=tenant, review_id=review_id, decision=decision
            )

    summary = run_async(main, as_json=json_out, expected=EXPECTED)
    emit_json(summary.as_dict()) if json_out else print_summary(summary)


@app.command()
def approve(
    review_id: str, tenant: TenantOpt, user: UserOpt = None, json_out: JsonOpt = False
) -> None:
    """Approve: the item is published exactly once."""
    _decide(review_id, tenant, ReviewDecision(decision="approve", user_id=user), json_out)


@app.command()
def edit(
    review_id: str,
    tenant: TenantOpt,
    text: Annotated[str, typer.Option(help="New text.")],
    user: UserOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Replace the text, then publish it."""
    _decide(review_id, tenant, ReviewDecision(decision="edit", text=text, user_id=user), json_out)


@app.command()
def reject(
    review_id: str,
    tenant: TenantOpt,
    reason: Annotated[str, typer.Option(help="Why; it reaches the replanner.")],
    user: UserOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Reject with a reason; nothing is published."""
    _decide(
        review_id, tenant, ReviewDecision(decision="reject", reason=reason, user_id=user), json_out
    )
