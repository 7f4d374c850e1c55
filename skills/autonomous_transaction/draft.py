"""Turn an `execute_transaction` task into a proposed payment for the CFO node to judge.

No side effect: the agent's wallet is looked up (`get_balance`), the payment is validated into
the CONTRACTS §2.5 `TransactionRequest` with the run's caps, and described in a transaction
artifact a reviewer can read.
"""

from __future__ import annotations

from pydantic import ValidationError

from chimera.mcp.errors import McpCallError
from chimera.mcp.host import CallIdentity, McpHost
from chimera.platform.ids import stable_id
from state.context import Context
from state.contracts import (
    Artifact,
    ArtifactType,
    BudgetGuard,
    CaptionPayload,
    GenerationMetadata,
    TransactionRequest,
)
from state.records import Envelope
from state.types import utc_now


class DraftError(ValueError):
    """The task cannot become a payment (no wallet, bad parameters)."""


async def draft_transaction(
    host: McpHost, env: Envelope, ctx: Context
) -> tuple[Artifact, TransactionRequest]:
    """The artifact and the payment an `execute_transaction` task proposes.

    Raises:
        DraftError: with the reason.

    """
    task, run = env.task, env.run
    who = CallIdentity.of_run(run)
    network = task.params.get("network", "base")
    try:
        wallet = await host.call_tool(
            "wallet",
            "get_balance",
            {"tenant_id": run.tenant_id, "agent_id": run.agent_id, "network": network},
            who=who,
        )
        request = TransactionRequest(
            tenant_id=run.tenant_id,
            agent_id=run.agent_id,
            wallet_id=wallet["wallet_id"],
            network=network,
            asset=task.params.get("asset", "USDC"),
            amount=task.params.get("amount", ""),
            to_address=task.params.get("to_address", ""),
            purpose=task.params.get("purpose", "payment"),
            budget_guard=BudgetGuard(
                campaign_id=run.campaign_id,
                max_per_tx=ctx.max_per_tx,
                max_daily=ctx.max_daily,
                max_campaign_total=ctx.max_campaign_total,
            ),
            metadata={"task_id": task.task_id},
        )
    except McpCallError as exc:
        raise DraftError(f"no usable wallet for {run.agent_id}: {exc}") from exc
    except ValidationError as exc:
        raise DraftError(f"invalid payment parameters: {exc.errors()[0]['msg']}") from exc
    return _artifact(env, request), request


def _artifact(env: Envelope, request: TransactionRequest) -> Artifact:
    """The transaction artifact a reviewer reads."""
    task, run = env.task, env.run
    text = (
        f"Pay {request.amount} {request.asset} on {request.network} to {request.to_address}"
        f" for {request.purpose} (wallet {request.wallet_id})."
    )
    return Artifact(
        artifact_id=stable_id("art", task.task_id, str(run.state_version)),
        task_id=task.task_id,
        agent_id=task.agent_id,
        tenant_id=task.tenant_id,
        artifact_type=ArtifactType.TRANSACTION,
        payload=CaptionPayload(text=text, platform="wallet"),
        generation_metadata=GenerationMetadata(
            model="transaction-drafter-v1", temperature=0, prompt_version="transaction_v1"
        ),
        state_snapshot_version=run.state_version,
        created_at=utc_now(),
    )
