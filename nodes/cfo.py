"""cfo: the judge of money. Every payment is approved, sent to a human, or refused here.

Caps are read through the wallet server's `campaign://{id}/budget` and `campaign://{id}/spend`
resources (the stricter of the stored caps and the run's caps applies) and the agent's caps over
all its campaigns through `agent://{id}/budget`, so a payment over any of them is refused with
its reason before the wallet is asked to pay (the wallet's conditional writes stay the final
guard against concurrent payments, specs/economics.md §1.4); the recipient must be on
the campaign's allow-list; payments above the review threshold wait for a human through the
existing review node. Any doubt (no payment, unreadable resource, malformed amount) refuses.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from chimera.control import payment_ledger, repo
from chimera.mcp.errors import McpCallError
from chimera.mcp.host import CallIdentity
from chimera.platform.db import Conn, tenant_tx
from chimera.resources import Services
from nodes.contracts import Node
from nodes.outcomes import earlier_decision, next_step, review_item
from skills.autonomous_transaction.guard import (
    GuardError,
    agent_violation,
    effective_caps,
    spent,
    violation,
)
from state.context import Context, context_of
from state.contracts import SuggestedAction
from state.money import AmountError, parse_amount
from state.records import Envelope, TaskStatus, Verdict


def _verdict(env: Envelope, decision: str, reason: str) -> Verdict:
    artifact = env.need_artifact()
    confidence, risk = {
        "approve": (1.0, "finance_low"),
        "review": (0.8, "finance_medium"),
        "reject": (0.0, "finance_high"),
    }[decision]
    return Verdict(
        task_id=env.task.task_id,
        artifact_id=artifact.artifact_id,
        decision=decision,
        confidence=confidence,
        risk_category=risk,
        reasons=[reason[:200]],
        sensitive_topics=["finance"],
    )


async def _over_cap(svc: Services, env: Envelope, amount: Decimal) -> str | None:
    """The first campaign or agent cap the payment would break, or None.

    Raises:
        AmountError: a cap or spend is malformed.
        GuardError: a budget payload cannot be read with certainty.
        McpCallError: a wallet resource could not be read.

    """
    tx, who = env.need_transaction(), CallIdentity.of_run(env.run)
    campaign = tx.budget_guard.campaign_id
    budget = await svc.host.read_resource("wallet", f"campaign://{campaign}/budget", who=who)
    spend = await svc.host.read_resource("wallet", f"campaign://{campaign}/spend", who=who)
    caps = effective_caps(tx.budget_guard.model_dump(exclude_none=True), budget, tx.asset)
    today, total = spent(spend, tx.asset)
    if over := violation(amount, caps, today, total, campaign):
        return over
    agent = await svc.host.read_resource("wallet", f"agent://{tx.agent_id}/budget", who=who)
    return agent_violation(amount, agent, tx.asset, tx.agent_id)


async def assess_payment(svc: Services, env: Envelope, ctx: Context) -> Verdict:
    """Approve, review or reject the envelope's payment (fail closed)."""
    tx = env.transaction
    if tx is None or env.artifact is None:
        return _verdict(env, "reject", "No payment to judge: refusing.")
    allowed = {a.lower() for a in ctx.payment_allow_list}
    if tx.to_address.lower() not in allowed:
        return _verdict(env, "reject", f"Recipient {tx.to_address} is not on the allow-list.")
    try:
        amount = parse_amount(tx.amount, tx.asset)
        threshold = parse_amount(ctx.tx_review_threshold, tx.asset, allow_zero=True)
        over = await _over_cap(svc, env, amount)
    except (AmountError, GuardError, McpCallError) as exc:
        return _verdict(env, "reject", f"Cannot verify the budget, refusing: {str(exc)[:140]}")
    if over:
        return _verdict(env, "reject", over)
    if amount > threshold:
        return _verdict(
            env, "review", f"{tx.amount} {tx.asset} is above the review threshold {threshold}."
        )
    return _verdict(env, "approve", f"{tx.amount} {tx.asset} fits every cap.")


async def _record_refusal(conn: Conn, env: Envelope, verdict: Verdict) -> None:
    """Append the refused payment, with the CFO's reasons, to the payment ledger and audit log."""
    tx, run = env.transaction, env.run
    fields = {} if tx is None else tx.model_dump(mode="json")
    receipt = {**fields, "status": "rejected", "reason": " ".join(verdict.reasons)}
    await payment_ledger.record(
        conn,
        receipt,
        source="cfo",
        tenant_id=run.tenant_id,
        agent_id=run.agent_id,
        campaign_id=run.campaign_id,
        task_id=env.task.task_id,
        thread_id=run.thread_id,
    )


def make_cfo(svc: Services) -> Node[Envelope, Command[Literal["commit", "review", "dispatch"]]]:
    """Build the node with its services."""

    async def cfo(
        state: Envelope, runtime: Runtime[Context]
    ) -> Command[Literal["commit", "review", "dispatch"]]:
        """Judge one proposed payment and route it."""
        ctx, run, task_id = context_of(runtime), state.run, state.task.task_id
        artifact = state.need_artifact()
        verdict = await assess_payment(svc, state, ctx)
        update: dict[str, Any] = {"verdicts": {task_id: verdict}}
        item, earlier = None, None
        if verdict.decision == "review":
            item = review_item(artifact, verdict, ctx.review_ttl_minutes).model_copy(
                update={"suggested_actions": [SuggestedAction.APPROVE, SuggestedAction.REJECT]}
            )
            earlier = await earlier_decision(svc, run.tenant_id, item.review_id)
        async with tenant_tx(svc.pool, run.tenant_id) as conn:
            await repo.save_artifact(conn, artifact, run.campaign_id, verdict)
            detail = {"by": "cfo", **verdict.model_dump(mode="json")}
            await repo.audit_run(conn, run, "verdict", task_id=task_id, detail=detail)
            if item is not None and earlier is None:
                await repo.open_review(
                    conn, item, thread_id=run.thread_id, campaign_id=run.campaign_id
                )
                await repo.set_task_status(conn, task_id, TaskStatus.AWAITING_REVIEW)
            elif verdict.decision == "reject":
                await repo.set_task_status(conn, task_id, TaskStatus.REJECTED)
                await _record_refusal(conn, state, verdict)
        routed = state.model_copy(update={"verdict": verdict, "review": item})
        step = next_step(routed, update, earlier)
        return Command(update=step.update, goto=step.goto)

    return cfo
