"""The §5.3 contract of `autonomous_transaction`: validated input and the receipt envelope.

Input is validated into `TransactionInput` (strict shapes; amounts and caps are checked per asset
by `state.money`). The receipt always carries every echoed identity field and `metadata`, even
on rejection (CONTRACTS §7), and never `budget_guard`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from state.types import DecimalString, Id, ShortText

ECHOED = (
    "tenant_id",
    "agent_id",
    "wallet_id",
    "network",
    "asset",
    "amount",
    "to_address",
    "purpose",
    "campaign_id",
)
"""Input fields every receipt echoes (plus `metadata`)."""


class SkillGuard(BaseModel):
    """Hard caps of §5.3 `budget_guard`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_per_tx: DecimalString
    max_daily: DecimalString
    max_campaign_total: DecimalString


class TransactionMetadata(BaseModel):
    """§5.3 `metadata`: correlation ids (extra keys are kept)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    task_id: Id | None = None
    external_invoice_id: Annotated[str, Field(max_length=200)] | None = None


class TransactionInput(BaseModel):
    """§5.3 input of `execute_transaction`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: Id
    agent_id: Id
    wallet_id: Id
    network: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,32}$")]
    asset: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,12}$")]
    amount: str
    to_address: Annotated[str, Field(max_length=200)]
    purpose: ShortText
    campaign_id: Id
    budget_guard: SkillGuard
    metadata: TransactionMetadata = TransactionMetadata()


Status = Literal["executed", "rejected", "failed"]


def envelope(raw: dict[str, Any], status: Status, **extra: Any) -> dict[str, Any]:
    """The §5.3 receipt: echoed identity fields, status, extras, metadata."""
    echoed = {name: raw.get(name) for name in ECHOED}
    metadata = raw.get("metadata")
    return {
        **echoed,
        "status": status,
        **extra,
        "metadata": dict(metadata) if isinstance(metadata, dict) else {},
    }
