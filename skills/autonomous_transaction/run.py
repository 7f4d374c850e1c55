"""The §5.3 flow: caps and spend from the resources, balance, guard, then one idempotent send.

Fail closed: a malformed input, an unreadable budget, an unknown wallet or a cap that would be
exceeded returns `rejected` with the reason and `send_transaction` is never called. An error
after the call was made returns `failed` (the same idempotency key makes a retry safe).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from chimera.control import intents, payment_ledger
from chimera.mcp.errors import (
    InvalidToolArguments,
    McpCallError,
    ToolConflict,
    ToolNotFound,
)
from chimera.mcp.host import CallIdentity, McpHost
from chimera.platform.db import Pool, tenant_tx
from skills.autonomous_transaction.contract import TransactionInput, envelope
from skills.autonomous_transaction.guard import (
    GuardError,
    agent_violation,
    effective_caps,
    spent,
    violation,
)
from state.money import AmountError, parse_amount

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_REFUSALS = (InvalidToolArguments, ToolNotFound, ToolConflict)


def transaction_key(req: TransactionInput) -> str:
    """The idempotency key of one payment: from the task (or invoice), never from time."""
    anchor = req.metadata.task_id or req.metadata.external_invoice_id
    if anchor is None:
        anchor = intents.payload_digest(req.model_dump(mode="json", exclude={"budget_guard"}))
    return intents.idempotency_key(req.tenant_id, req.campaign_id, anchor, "send_transaction")


def _summary(exc: ValidationError) -> str:
    parts = [f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors()[:5]]
    return "invalid transaction input: " + "; ".join(parts)


def tool_args(req: TransactionInput, key: str) -> dict[str, Any]:
    """send_transaction arguments (CONTRACTS §2.5) built from the skill input."""
    return {
        "tenant_id": req.tenant_id,
        "agent_id": req.agent_id,
        "wallet_id": req.wallet_id,
        "network": req.network,
        "asset": req.asset,
        "amount": req.amount,
        "to_address": req.to_address,
        "purpose": req.purpose,
        "budget_guard": {"campaign_id": req.campaign_id, **req.budget_guard.model_dump()},
        "metadata": req.metadata.model_dump(exclude_none=True),
        "idempotency_key": key,
    }


async def precheck(host: McpHost, req: TransactionInput, who: CallIdentity) -> str | None:
    """Steps 1-3 of §5.3: why the payment must not be sent, or None."""
    try:
        amount = parse_amount(req.amount, req.asset)
    except AmountError as exc:
        return str(exc)
    if not _ADDRESS.match(req.to_address):
        return f"to_address {req.to_address[:60]!r} is not a 0x-prefixed 20-byte address"
    try:
        budget = await host.read_resource("wallet", f"campaign://{req.campaign_id}/budget", who=who)
        spend = await host.read_resource("wallet", f"campaign://{req.campaign_id}/spend", who=who)
        caps = effective_caps(req.budget_guard.model_dump(), budget, req.asset)
        today, total = spent(spend, req.asset)
    except (McpCallError, GuardError) as exc:
        return f"cannot verify the budget, refusing: {exc}"
    try:
        wallet = await host.call_tool(
            "wallet",
            "get_balance",
            {"tenant_id": req.tenant_id, "agent_id": req.agent_id, "wallet_id": req.wallet_id},
            who=who,
        )
        balance = parse_amount(wallet["balances"][req.asset], req.asset, allow_zero=True)
    except ToolNotFound as exc:
        return str(exc)
    except (McpCallError, KeyError, AmountError) as exc:
        return f"cannot read the wallet balance, refusing: {exc}"
    if balance < amount:
        return f"insufficient {req.asset} balance in {req.wallet_id}: {balance} < {amount}"
    if over := violation(amount, caps, today, total, req.campaign_id):
        return over
    return await _agent_over(host, req, amount, who)


async def _agent_over(
    host: McpHost, req: TransactionInput, amount: Decimal, who: CallIdentity
) -> str | None:
    """The agent's caps over all its campaigns (specs/economics.md §1.4), checked ahead."""
    try:
        budget = await host.read_resource("wallet", f"agent://{req.agent_id}/budget", who=who)
        return agent_violation(amount, budget, req.asset, req.agent_id)
    except (McpCallError, GuardError) as exc:
        return f"cannot verify the agent budget, refusing: {exc}"


async def aexecute_transaction(
    host: McpHost, run_id: str = "", *, ledger: Pool | None = None, **raw: Any
) -> dict[str, Any]:
    """Async twin of `execute_transaction`, on an open host (used by the campaign graph).

    With `ledger` (the control-plane pool) every outcome is appended to the payment ledger and
    a refusal or failure is audited with its reason (specs/governance.md §4.2).
    """
    receipt = await _execute(host, run_id, raw)
    tenant = raw.get("tenant_id")
    if ledger is not None and isinstance(tenant, str) and tenant:
        metadata = raw.get("metadata")
        task_id = metadata.get("task_id") if isinstance(metadata, dict) else None
        async with tenant_tx(ledger, tenant) as conn:
            await payment_ledger.record(
                conn, receipt, source="skill", task_id=task_id, thread_id=run_id or None
            )
    return receipt


async def _execute(host: McpHost, run_id: str, raw: dict[str, Any]) -> dict[str, Any]:
    try:
        req = TransactionInput.model_validate(raw)
    except ValidationError as exc:
        return envelope(raw, "rejected", reason=_summary(exc))
    who = CallIdentity(req.tenant_id, req.agent_id, run_id)
    if reason := await precheck(host, req, who):
        return envelope(raw, "rejected", reason=reason)
    try:
        result = await host.call_tool(
            "wallet", "send_transaction", tool_args(req, transaction_key(req)), who=who
        )
    except _REFUSALS as exc:
        return envelope(raw, "rejected", reason=str(exc))
    except McpCallError as exc:
        return envelope(raw, "failed", reason=f"send outcome unknown, retry is safe: {exc}")
    if result["status"] != "executed":
        return envelope(raw, result["status"], reason=result.get("reason") or "not executed")
    return envelope(
        raw,
        "executed",
        tx_hash=result["tx_hash"],
        executed_at=result["executed_at"],
        post_balances=result["post_balances"],
    )
