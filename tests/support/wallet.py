"""Wallet test helpers: operator hosts, funded wallets, payloads and read-backs of chain and ledger.

Chain checks talk to the devnet directly (what the world saw); ledger checks read the wallet
server's tables under the tenant's row-level security.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from eth_account import Account
from web3 import AsyncHTTPProvider, AsyncWeb3

from chimera.mcp.host import CallIdentity, McpHost
from chimera.platform.db import tenant_tx
from chimera.platform.devnet import CONTRACT
from chimera.resources import Services


def recipient() -> str:
    """A fresh, well-formed (checksummed) recipient address."""
    return str(Account.create().address)


def campaign() -> str:
    """A campaign id no other test uses."""
    return f"cmp-wallet-{uuid.uuid4().hex[:10]}"


async def funded_wallet(host: McpHost, who: CallIdentity) -> dict[str, Any]:
    """The agent's wallet, created if needed and dripped from the devnet faucet."""
    args = {"tenant_id": who.tenant_id, "agent_id": who.agent_id}
    wallet = await host.call_tool("wallet", "create_wallet", args, who=who)
    await host.call_tool("wallet", "fund_wallet", args, who=who)
    return dict(wallet)


def send_args(
    who: CallIdentity,
    wallet_id: str,
    campaign_id: str,
    *,
    amount: str = "25.00",
    to: str | None = None,
    key: str | None = None,
    caps: tuple[str, str, str] = ("50.00", "200.00", "1000.00"),
    asset: str = "USDC",
) -> dict[str, Any]:
    """send_transaction arguments (CONTRACTS §2.5, plus the campaign-total cap)."""
    return {
        "tenant_id": who.tenant_id,
        "agent_id": who.agent_id,
        "wallet_id": wallet_id,
        "network": "base",
        "asset": asset,
        "amount": amount,
        "to_address": to or recipient(),
        "purpose": "pay_for_video_generation",
        "budget_guard": {
            "campaign_id": campaign_id,
            "max_per_tx": caps[0],
            "max_daily": caps[1],
            "max_campaign_total": caps[2],
        },
        "idempotency_key": key or f"test-tx-{uuid.uuid4().hex}",
        "metadata": {"task_id": "task-wallet-test"},
    }


class Devnet:
    """Direct read access to the devnet the wallet server uses."""

    def __init__(self, svc: Services) -> None:
        """Connect to the session's anvil."""
        assert svc.endpoints.chain_rpc, "these tests need the anvil devnet (npm ci)"
        self.w3 = AsyncWeb3(AsyncHTTPProvider(svc.endpoints.chain_rpc))
        self.svc = svc

    async def usdc(self) -> Any:
        """The deployed devnet USDC contract."""
        record = json.loads((self.svc.settings.home.resolve() / "devnet-usdc.json").read_text())
        abi = json.loads(CONTRACT.read_text())["abi"]
        return self.w3.eth.contract(
            address=self.w3.to_checksum_address(record["embedded"]), abi=abi
        )

    async def usdc_balance(self, address: str) -> Decimal:
        """USDC balance of an address, in USDC."""
        token = await self.usdc()
        units = await token.functions.balanceOf(self.w3.to_checksum_address(address)).call()
        return Decimal(units).scaleb(-6)

    async def nonce(self, address: str) -> int:
        """Transactions sent from an address."""
        return int(await self.w3.eth.get_transaction_count(self.w3.to_checksum_address(address)))


async def ledger_rows(svc: Services, tenant_id: str, campaign_id: str) -> list[dict[str, Any]]:
    """The wallet server's transaction rows of a campaign."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        rows = await (
            await conn.execute(
                "SELECT tx_id, status, amount, tx_hash, to_address, reason"
                " FROM wallet_transactions WHERE campaign_id = %s ORDER BY created_at",
                (campaign_id,),
            )
        ).fetchall()
    return [dict(r) for r in rows]
