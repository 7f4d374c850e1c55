"""The wallet MCP server: the only process that holds key material.

Tools `create_wallet`, `get_balance`, `send_transaction` (CONTRACTS §2.5), plus the operator
tools `fund_wallet` (devnet faucet only) and `list_transactions`; resources
`campaign://{campaign_id}/budget` and `campaign://{campaign_id}/spend`. Every call is tenant
scoped by row-level security; another tenant's wallet is simply not found.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from mcp.server.fastmcp import Context, FastMCP
from pydantic import Field, ValidationError

from chimera.platform.db import tenant_tx
from servers.auth import check_agent, may_set_caps, require_operator
from servers.runtime import InvalidArgument, caller, payload_hash, serve
from servers.wallet import agent_caps, income_tools, ledger, receipts, sender
from servers.wallet.deps import WalletDeps, wallet_lifespan
from servers.wallet.funds import fund_once
from servers.wallet.wallets import (
    NETWORKS,
    check_recipient,
    history,
    new_wallet,
    resolve_wallet,
)
from state.contracts import BudgetGuard, TransactionRequest
from state.money import AmountError, decimals_of, fmt, from_units, parse_amount

mcp = FastMCP(
    "wallet",
    instructions="Non-custodial agent wallets on the devnet with a budget-capped ledger.",
    lifespan=wallet_lifespan,
    log_level="WARNING",
)

income_tools.register(mcp)

IdempotencyKey = Annotated[str, Field(min_length=8, max_length=200, pattern=r"^[A-Za-z0-9:_\-]+$")]


def _deps(ctx: Context[Any, Any, Any]) -> WalletDeps:
    deps: WalletDeps = ctx.request_context.lifespan_context
    return deps


@mcp.tool(description="Create (or return) the agent's wallet on a network; returns its address.")
async def create_wallet(
    tenant_id: str, agent_id: str, ctx: Context, network: str = "base", wallet_id: str | None = None
) -> dict[str, Any]:
    """Generate a key in the encrypted keystore and record the address (idempotent per agent)."""
    caller(ctx, tenant_id)
    await check_agent(_deps(ctx).pool, tenant_id, agent_id)
    return await new_wallet(_deps(ctx), tenant_id, agent_id, network, wallet_id)


@mcp.tool(description="Balances (USDC, ETH) of the agent's wallet, or of `wallet_id`.")
async def get_balance(
    tenant_id: str, agent_id: str, ctx: Context, wallet_id: str | None = None, network: str = "base"
) -> dict[str, Any]:
    """Read balances from the chain."""
    caller(ctx, tenant_id)
    deps = _deps(ctx)
    await check_agent(deps.pool, tenant_id, agent_id)
    async with tenant_tx(deps.pool, tenant_id) as conn:
        wallet = await resolve_wallet(conn, agent_id, wallet_id, network)
    balances = {
        asset: fmt(from_units(await (await deps.reader()).balance(wallet["address"], asset), asset))
        for asset in ("USDC", "ETH")
    }
    return {**wallet, "balances": balances}


def _caps(guard: BudgetGuard, asset: str) -> ledger.Caps:
    # A tenant token's guard may only tighten the stored budget row, never create it: with no
    # campaign total, `ensure_budget` seeds nothing and the reservation uses the stored caps.
    total = guard.max_campaign_total if may_set_caps() else None
    return ledger.Caps(
        max_per_tx=parse_amount(guard.max_per_tx, asset, allow_zero=True),
        max_daily=parse_amount(guard.max_daily, asset, allow_zero=True),
        max_campaign_total=parse_amount(total, asset, allow_zero=True) if total else None,
    )


async def _validated(
    ctx: Context[Any, Any, Any], request: TransactionRequest
) -> tuple[ledger.Hold, ledger.Caps, str]:
    if request.network not in NETWORKS:
        raise InvalidArgument(f"unsupported network {request.network!r}; use one of {NETWORKS}")
    try:
        amount = parse_amount(request.amount, request.asset)
        caps = _caps(request.budget_guard, request.asset)
    except AmountError as exc:
        raise InvalidArgument(str(exc)) from exc
    async with tenant_tx(_deps(ctx).pool, request.tenant_id) as conn:
        wallet = await resolve_wallet(conn, request.agent_id, request.wallet_id, request.network)
    check_recipient(request.to_address, wallet["address"])
    hold = ledger.Hold(
        tenant_id=request.tenant_id,
        agent_id=request.agent_id,
        wallet_id=request.wallet_id,
        campaign_id=request.budget_guard.campaign_id,
        network=request.network,
        asset=request.asset,
        amount=amount,
        to_address=request.to_address,
        purpose=request.purpose,
        metadata=dict(request.metadata),
    )
    return hold, caps, wallet["address"]


@mcp.tool(description="Send USDC or ETH once per idempotency key, within the budget caps.")
async def send_transaction(
    tenant_id: str,
    agent_id: str,
    wallet_id: str,
    network: str,
    asset: str,
    amount: str,
    to_address: str,
    purpose: str,
    budget_guard: dict[str, Any],
    idempotency_key: IdempotencyKey,
    ctx: Context,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Reserve against the caps, sign locally, broadcast, settle (CONTRACTS §2.5)."""
    caller(ctx, tenant_id)
    await check_agent(_deps(ctx).pool, tenant_id, agent_id)
    try:
        request = TransactionRequest(
            tenant_id=tenant_id,
            agent_id=agent_id,
            wallet_id=wallet_id,
            network=network,
            asset=asset,
            amount=amount,
            to_address=to_address,
            purpose=purpose,
            budget_guard=budget_guard,
            metadata=metadata or {},
        )
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5]]
        raise InvalidArgument("; ".join(problems)) from exc
    hold, caps, address = await _validated(ctx, request)
    digest = payload_hash(
        {
            "wallet_id": hold.wallet_id,
            "network": hold.network,
            "asset": hold.asset,
            "amount": str(hold.amount.normalize()),
            "to": hold.to_address.lower(),
            "purpose": hold.purpose,
            "campaign_id": hold.campaign_id,
        }
    )
    return await sender.send(_deps(ctx), hold, caps, idempotency_key, digest, address)


@mcp.tool(
    description="Devnet faucet: fund a wallet with test ETH and USDC (refused off devnet);"
    " `first_only` funds only a wallet holding nothing yet (safe for concurrent callers)."
)
async def fund_wallet(
    tenant_id: str,
    agent_id: str,
    ctx: Context,
    wallet_id: str | None = None,
    network: str = "base",
    first_only: bool = False,
) -> dict[str, Any]:
    """Drip test funds to the agent's wallet (an operator tool)."""
    caller(ctx, tenant_id)
    require_operator()
    deps = _deps(ctx)
    if not (await deps.reader()).devnet:
        raise InvalidArgument("fund_wallet is a devnet faucet; this chain is not a devnet")
    async with tenant_tx(deps.pool, tenant_id) as conn:
        wallet = await resolve_wallet(conn, agent_id, wallet_id, network)
    if first_only:
        dripped = await fund_once(deps, tenant_id, wallet)
    else:
        dripped = await (await deps.reader()).fund(wallet["address"])
    return {**wallet, "funded": {a: fmt(from_units(u, a)) for a, u in dripped.items()}}


@mcp.tool(description="Transactions of the tenant, newest first (optionally one wallet/campaign).")
async def list_transactions(
    tenant_id: str,
    ctx: Context,
    wallet_id: str | None = None,
    campaign_id: str | None = None,
    limit: Annotated[int, Field(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """The ledger's history (no key material, no raw transactions); an operator tool."""
    caller(ctx, tenant_id)
    require_operator()
    async with tenant_tx(_deps(ctx).pool, tenant_id) as conn:
        rows = await history(conn, wallet_id, campaign_id, limit)
    return {"transactions": rows}


@mcp.tool(description="Operator: set an agent's spending caps across all its campaigns.")
async def set_agent_caps(
    tenant_id: str,
    agent_id: str,
    ctx: Context,
    asset: str = "USDC",
    max_daily: str | None = None,
    max_monthly: str | None = None,
) -> dict[str, Any]:
    """Replace the agent's `max_daily` / `max_monthly` (None: no cap); spend so far is kept."""
    caller(ctx, tenant_id)
    try:
        decimals_of(asset)
        daily = None if max_daily is None else parse_amount(max_daily, asset, allow_zero=True)
        monthly = None if max_monthly is None else parse_amount(max_monthly, asset, allow_zero=True)
    except AmountError as exc:
        raise InvalidArgument(str(exc)) from exc
    async with tenant_tx(_deps(ctx).pool, tenant_id) as conn:
        return await agent_caps.set_caps(conn, tenant_id, agent_id, asset, daily, monthly)


@mcp.resource("agent://{agent_id}/budget", mime_type="application/json")
async def agent_budget_resource(agent_id: str) -> str:
    """The agent's caps and spend today and this month, per asset."""
    ctx = mcp.get_context()
    who = caller(ctx)
    deps = _deps(ctx)
    defaults = (deps.settings.agent_max_daily_usdc, deps.settings.agent_max_monthly_usdc)
    async with tenant_tx(deps.pool, who["tenant_id"]) as conn:
        return json.dumps(await agent_caps.agent_budget(conn, agent_id, ledger.today(), defaults))


async def _campaign_view(campaign_id: str, view: Any) -> str:
    ctx = mcp.get_context()
    who = caller(ctx)
    async with tenant_tx(_deps(ctx).pool, who["tenant_id"]) as conn:
        return json.dumps(await view(conn, campaign_id))


@mcp.resource("campaign://{campaign_id}/budget", mime_type="application/json")
async def budget_resource(campaign_id: str) -> str:
    """The campaign's stored caps per asset (empty until its first guarded transaction)."""
    return await _campaign_view(campaign_id, receipts.campaign_budget)


@mcp.resource("campaign://{campaign_id}/spend", mime_type="application/json")
async def spend_resource(campaign_id: str) -> str:
    """The campaign's spend per asset today and in total, holds included."""
    return await _campaign_view(campaign_id, receipts.campaign_spend)


def main() -> None:
    """Run standalone."""
    serve(mcp)
