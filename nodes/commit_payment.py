"""commit, for payments: `send_transaction` exactly once behind the intent ledger.

The payment goes through the `autonomous_transaction` skill's async twin, which re-reads the caps
and calls the wallet server with the idempotency key the intent ledger holds (derived from the
tenant, campaign and task). A commit re-executed after a crash finds the intent: done -> the
recorded receipt is reused; pending -> the same key is sent again and the wallet server answers
with the first receipt or reconciles the transfer against the chain.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.types import Command

from chimera.control import intents, repo
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from nodes.outcomes import ended
from skills.autonomous_transaction import aexecute_transaction
from state.contracts import TransactionRequest
from state.records import Envelope, Published, TaskStatus

KIND = "send_transaction"


def skill_input(tx: TransactionRequest) -> dict[str, Any]:
    """The §5.3 skill input for an approved §2.5 payment."""
    guard = tx.budget_guard
    return {
        "tenant_id": tx.tenant_id,
        "agent_id": tx.agent_id,
        "wallet_id": tx.wallet_id,
        "network": tx.network,
        "asset": tx.asset,
        "amount": tx.amount,
        "to_address": tx.to_address,
        "purpose": tx.purpose,
        "campaign_id": guard.campaign_id,
        "budget_guard": {
            "max_per_tx": guard.max_per_tx,
            "max_daily": guard.max_daily,
            "max_campaign_total": guard.max_campaign_total,
        },
        "metadata": dict(tx.metadata),
    }


def _not_done(task_id: str, status: str, reason: str) -> Command[Literal["dispatch"]]:
    by: Literal["judge", "worker"] = "judge" if status == TaskStatus.REJECTED else "worker"
    return Command(update=ended(task_id, status, reason, by), goto="dispatch")


async def _pay_once(
    svc: Services, env: Envelope, args: dict[str, Any], key: str
) -> tuple[dict[str, Any], bool]:
    """The recorded receipt, or a new payment through the skill (claimed intent first)."""
    run = env.run
    async with tenant_tx(svc.pool, run.tenant_id) as conn:
        intent = await intents.claim_for_task(conn, run, env.task.task_id, KIND, key, args)
    if intent.status == "done" and intent.result is not None:
        return intent.result, True
    return await aexecute_transaction(svc.host, run.thread_id, ledger=svc.pool, **args), False


async def commit_payment(svc: Services, env: Envelope) -> Command[Literal["dispatch"]]:
    """Send the approved payment once, record it, and go back to dispatch."""
    run, task_id, tx = env.run, env.task.task_id, env.need_transaction()
    if env.edited_text is not None:
        return _not_done(
            task_id, TaskStatus.FAILED, "a payment cannot be edited; approve or reject"
        )
    key = intents.idempotency_key(run.tenant_id, run.campaign_id, task_id, KIND)
    receipt, reused = await _pay_once(svc, env, skill_input(tx), key)
    if receipt["status"] == "failed":
        return _not_done(task_id, TaskStatus.FAILED, receipt["reason"])  # intent stays pending
    async with tenant_tx(svc.pool, run.tenant_id) as conn:
        await intents.complete(conn, key, receipt)
        if receipt["status"] != "executed":
            await repo.set_task_status(conn, task_id, TaskStatus.REJECTED)
        else:
            await repo.set_task_status(conn, task_id, TaskStatus.DONE)
        detail = {"kind": KIND, "key": key, "reused": reused, **receipt}
        await repo.audit_run(conn, run, "side_effect", task_id=task_id, detail=detail)
    if receipt["status"] != "executed":
        return _not_done(task_id, TaskStatus.REJECTED, receipt["reason"])
    published = Published(
        task_id=task_id,
        kind=KIND,
        external_id=receipt["tx_hash"],
        platform=tx.network,
        text=f"Paid {tx.amount} {tx.asset} to {tx.to_address} for {tx.purpose}",
        reused=reused,
    )
    return Command(
        update={"published": {task_id: published}, "status": {task_id: TaskStatus.DONE}},
        goto="dispatch",
    )
