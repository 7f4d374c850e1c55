"""`chimera wallet create|balance|fund|history|caps|invoice|tip|pay-invoice|income`.

The agents' wallets, from the operator's seat. Every command goes through the wallet MCP server
(the only holder of keys) on a host with the operator tools allowed. `fund`, `tip` and
`pay-invoice` are devnet helpers (a devnet account plays the sponsor) and are refused on any
other chain.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from chimera.cli.output import console, emit_json, run_async
from chimera.mcp.errors import McpCallError
from chimera.mcp.host import CallIdentity
from chimera.mcp.wallet import open_wallet_host
from chimera.resources import open_services

app = typer.Typer(
    help="Agent wallets on the devnet (or the configured chain).", no_args_is_help=True
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TenantOpt = Annotated[str, typer.Option(envvar="CHIMERA_TENANT", help="Your tenant id.")]
AgentOpt = Annotated[str, typer.Option(help="Agent id whose wallet this is.")]
NetworkOpt = Annotated[str, typer.Option(help="Network: base, base-sepolia or devnet.")]
WalletOpt = Annotated[str | None, typer.Option(help="Wallet id (default: the agent's wallet).")]
EXPECTED = (McpCallError, ValueError, LookupError)


def _call(tenant: str, agent: str, tool: str, args: dict[str, Any]) -> Any:
    async def main() -> Any:
        async with open_services(with_host=False) as svc:
            host = await open_wallet_host(svc.settings, svc.endpoints)
            try:
                who = CallIdentity(tenant, agent, "cli")
                body = {"tenant_id": tenant, **({"agent_id": agent} if agent else {}), **args}
                return await host.call_tool("wallet", tool, body, who=who)
            finally:
                await host.aclose()

    return main


def _show(data: dict[str, Any], json_out: bool) -> None:
    if json_out:
        emit_json(data)
        return
    for key, value in data.items():
        console.print(f"[bold]{key:>10}[/] {value}")


def _wallet_tool(
    tenant: str, agent: str, tool: str, wallet: str | None, network: str, json_out: bool
) -> None:
    """Call one wallet tool on the agent's (or the named) wallet and print its result."""
    ids = {"network": network, **({"wallet_id": wallet} if wallet else {})}
    _show(run_async(_call(tenant, agent, tool, ids), as_json=json_out, expected=EXPECTED), json_out)


@app.command()
def create(
    agent: AgentOpt,
    tenant: TenantOpt,
    network: NetworkOpt = "base",
    wallet: WalletOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Create the agent's wallet (or show the one it has); prints its address, never a key."""
    _wallet_tool(tenant, agent, "create_wallet", wallet, network, json_out)


@app.command()
def balance(
    agent: AgentOpt,
    tenant: TenantOpt,
    network: NetworkOpt = "base",
    wallet: WalletOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """USDC and ETH balances of the agent's wallet, read from the chain."""
    _wallet_tool(tenant, agent, "get_balance", wallet, network, json_out)


@app.command()
def fund(
    agent: AgentOpt,
    tenant: TenantOpt,
    network: NetworkOpt = "base",
    wallet: WalletOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Devnet faucet: 1 ETH for gas and 1000 USDC (refused on any other chain)."""
    _wallet_tool(tenant, agent, "fund_wallet", wallet, network, json_out)


@app.command()
def history(
    tenant: TenantOpt,
    wallet: WalletOpt = None,
    campaign: Annotated[str | None, typer.Option(help="Only this campaign.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    json_out: JsonOpt = False,
) -> None:
    """The ledger's transactions of your tenant, newest first."""
    args: dict[str, Any] = {"limit": limit}
    if wallet:
        args["wallet_id"] = wallet
    if campaign:
        args["campaign_id"] = campaign
    rows = run_async(
        _call(tenant, "", "list_transactions", args), as_json=json_out, expected=EXPECTED
    )["transactions"]
    if json_out:
        emit_json(rows)
        return
    table = Table(title=f"Transactions ({len(rows)})")
    for column in ("tx", "status", "amount", "to", "campaign", "hash"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            r["tx_id"],
            r["status"],
            f"{r['amount']} {r['asset']}",
            r["to_address"],
            r["campaign_id"],
            r["tx_hash"] or "",
        )
    console.print(table)


def _print(tenant: str, agent: str, tool: str, args: dict[str, Any], json_out: bool) -> None:
    result = run_async(_call(tenant, agent, tool, args), as_json=json_out, expected=EXPECTED)
    _show(result, json_out)


MoneyOpt = Annotated[str | None, typer.Option(help="A USDC amount like '200.00'; unset: no cap.")]


@app.command()
def caps(
    agent: AgentOpt,
    tenant: TenantOpt,
    max_daily: MoneyOpt = None,
    max_monthly: MoneyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Set the agent's USDC caps over all its campaigns (per UTC day and calendar month)."""
    args = {"max_daily": max_daily, "max_monthly": max_monthly}
    _print(tenant, agent, "set_agent_caps", args, json_out)


@app.command()
def invoice(
    agent: AgentOpt,
    tenant: TenantOpt,
    sponsor: Annotated[str, typer.Option(help="Who pays, e.g. 'Brand ABC'.")],
    amount: Annotated[str, typer.Option(help="USDC amount like '120.00'.")],
    campaign: Annotated[str | None, typer.Option(help="The sponsored campaign.")] = None,
    payer: Annotated[str | None, typer.Option(help="The sponsor's paying address.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Open a sponsor invoice payable in USDC to the agent's wallet."""
    args: dict[str, Any] = {"sponsor": sponsor, "amount": amount}
    args |= {k: v for k, v in (("campaign_id", campaign), ("payer_address", payer)) if v}
    _print(tenant, agent, "create_invoice", args, json_out)


@app.command()
def tip(
    agent: AgentOpt,
    tenant: TenantOpt,
    amount: Annotated[str, typer.Option(help="USDC amount like '5.00'.")],
    json_out: JsonOpt = False,
) -> None:
    """Devnet: a devnet account tips the agent's wallet in USDC."""
    _print(tenant, agent, "devnet_pay", {"amount": amount}, json_out)


@app.command("pay-invoice")
def pay_invoice(
    agent: AgentOpt,
    tenant: TenantOpt,
    invoice_id: Annotated[str, typer.Option("--invoice", help="The invoice id to pay.")],
    json_out: JsonOpt = False,
) -> None:
    """Devnet: a devnet account pays the agent's invoice in full."""
    _print(tenant, agent, "devnet_pay", {"invoice_id": invoice_id}, json_out)


@app.command()
def income(
    tenant: TenantOpt,
    agent: Annotated[str | None, typer.Option(help="Only this agent.")] = None,
    scan: Annotated[bool, typer.Option(help="Scan the chain first.")] = True,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    json_out: JsonOpt = False,
) -> None:
    """Scan for confirmed incoming USDC, then list the recorded income, newest first."""

    async def main() -> Any:
        async with open_services(with_host=False) as svc:
            host = await open_wallet_host(svc.settings, svc.endpoints)
            who = CallIdentity(tenant, agent or "operator", "cli")
            try:
                if scan:
                    await host.call_tool("wallet", "scan_income", {"tenant_id": tenant}, who=who)
                args = {"tenant_id": tenant, "agent_id": agent, "limit": limit}
                return await host.call_tool("wallet", "list_income", args, who=who)
            finally:
                await host.aclose()

    rows = run_async(main, as_json=json_out, expected=EXPECTED)["income"]
    if json_out:
        emit_json(rows)
        return
    table = Table(title=f"Income ({len(rows)})")
    for column in ("agent", "amount", "purpose", "from", "campaign", "hash"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            r["agent_id"],
            f"{r['amount']} {r['asset']}",
            r["purpose"],
            r["counterparty"],
            r["campaign_id"] or "",
            r["tx_hash"],
        )
    console.print(table)
