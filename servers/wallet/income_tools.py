"""The wallet server's income tools: scan the chain, list income, invoices, a devnet sponsor.

Registered on the server's FastMCP instance by `register` (server.py stays the payments half).
All are operator tools (the campaign graph's allow-list does not include them); every call is
tenant scoped by row-level security.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.fastmcp import Context, FastMCP
from pydantic import Field

from chimera.platform.db import tenant_tx
from servers.runtime import InvalidArgument, NotFound, caller
from servers.wallet import income
from servers.wallet.deps import WalletDeps
from servers.wallet.wallets import NETWORKS, resolve_wallet
from state.money import AmountError, fmt, from_units, parse_amount, to_units

Address = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")]
Text = Annotated[str, Field(min_length=1, max_length=200)]


def _deps(ctx: Context[Any, Any, Any]) -> WalletDeps:
    deps: WalletDeps = ctx.request_context.lifespan_context
    return deps


def _network(network: str) -> str:
    if network not in NETWORKS:
        raise InvalidArgument(f"unsupported network {network!r}; use one of {NETWORKS}")
    return network


def _usdc(amount: str) -> Any:
    try:
        return parse_amount(amount, "USDC")
    except AmountError as exc:
        raise InvalidArgument(str(exc)) from exc


async def scan_income(
    tenant_id: str,
    ctx: Context,
    network: str = "base",
    confirmations: Annotated[int, Field(ge=0, le=10_000)] | None = None,
    from_block: Annotated[int, Field(ge=0)] | None = None,
) -> dict[str, Any]:
    """Record confirmed incoming USDC transfers since the stored cursor (or from `from_block`)."""
    caller(ctx, tenant_id)
    deps = _deps(ctx)
    depth = deps.settings.income_confirmations if confirmations is None else confirmations
    return await income.scan(deps, tenant_id, _network(network), depth, from_block)


async def list_income(
    tenant_id: str,
    ctx: Context,
    agent_id: str | None = None,
    limit: Annotated[int, Field(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """The tenant's recorded income, newest first."""
    caller(ctx, tenant_id)
    async with tenant_tx(_deps(ctx).pool, tenant_id) as conn:
        return {"income": await income.listed(conn, agent_id, limit)}


async def create_invoice(
    tenant_id: str,
    agent_id: str,
    sponsor: Text,
    amount: str,
    ctx: Context,
    campaign_id: str | None = None,
    payer_address: Address | None = None,
    network: str = "base",
) -> dict[str, Any]:
    """Open an invoice the sponsor pays in USDC to the agent's wallet on `network`."""
    caller(ctx, tenant_id)
    terms = {
        "sponsor": sponsor,
        "amount": _usdc(amount),
        "campaign_id": campaign_id,
        "payer_address": payer_address,
    }
    async with tenant_tx(_deps(ctx).pool, tenant_id) as conn:
        wallet = await resolve_wallet(conn, agent_id, None, _network(network))
        return await income.create_invoice(conn, wallet, tenant_id, terms)


async def devnet_pay(
    tenant_id: str,
    agent_id: str,
    ctx: Context,
    amount: str | None = None,
    invoice_id: str | None = None,
    network: str = "base",
) -> dict[str, Any]:
    """Devnet only: a devnet sponsor account pays the agent a tip (`amount`) or an invoice."""
    caller(ctx, tenant_id)
    deps = _deps(ctx)
    if (amount is None) == (invoice_id is None):
        raise InvalidArgument("give exactly one of amount (a tip) or invoice_id")
    chain = await deps.chain()
    if deps.cdp is not None or not chain.devnet:
        raise InvalidArgument("devnet_pay is a devnet helper; this chain is not a devnet")
    async with tenant_tx(deps.pool, tenant_id) as conn:
        wallet = await resolve_wallet(conn, agent_id, None, _network(network))
        bill = None if invoice_id is None else await income.invoice(conn, invoice_id)
    if invoice_id is not None and (bill is None or bill["agent_id"] != agent_id):
        raise NotFound(f"invoice {invoice_id!r} not found for this tenant and agent")
    value = _usdc(bill["amount"] if bill is not None else str(amount))
    sent = await chain.sponsor_transfer(wallet["address"], to_units(value, "USDC"))
    paid = fmt(from_units(to_units(value, "USDC"), "USDC"))
    return {**sent, "to_address": wallet["address"], "amount": paid, "invoice_id": invoice_id}


def register(mcp: FastMCP[Any]) -> None:
    """Add the income tools to the wallet server."""
    mcp.tool(description="Operator: record confirmed incoming USDC transfers (tips, sponsors).")(
        scan_income
    )
    mcp.tool(description="Operator: the tenant's recorded income, newest first.")(list_income)
    mcp.tool(description="Operator: open a sponsor invoice payable to the agent's wallet.")(
        create_invoice
    )
    mcp.tool(description="Devnet only: a sponsor account pays the agent a tip or an invoice.")(
        devnet_pay
    )
