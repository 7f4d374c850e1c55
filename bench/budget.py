"""Budget: N concurrent payments against one cap through the wallet server, vs bare transfers.

ARCHITECTURE §9: 50 concurrent transactions against a cap -> 0 overspend. Two wallet server
processes (two hosts) race N `send_transaction` calls of `amount` USDC against a campaign total
`cap`; the bench reports how many executed (must be floor(cap / amount)), the overspend measured
ON CHAIN (must be 0), and the time per executed payment next to a bare web3 transfer on the same
devnet (sign, broadcast, receipt; no ledger, no MCP), run in the same process.

The agent-cap case (specs/economics.md §1.2) races the same N payments spread over 5 campaigns
of one fresh agent whose `max_daily` is `cap` while each campaign alone would allow them all:
executed must be floor(cap / amount) and the on-chain overspend against the agent's cap 0.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from decimal import Decimal
from typing import Any

from eth_account import Account
from web3 import AsyncHTTPProvider, AsyncWeb3

from chimera.control.personas import load_persona
from chimera.control.repo import sync_persona
from chimera.mcp.host import CallIdentity, McpHost
from chimera.mcp.wallet import open_wallet_host
from chimera.platform.db import tenant_tx
from chimera.platform.devnet import CONTRACT
from chimera.resources import Services, open_services

WHO = CallIdentity("tenant-xyz", "agent-ethiopia-fashion-001", "bench-budget")


def _args(
    wallet_id: str, campaign: str, to: str, amount: str, cap: str, who: CallIdentity = WHO
) -> dict[str, Any]:
    return {
        "tenant_id": who.tenant_id,
        "agent_id": who.agent_id,
        "wallet_id": wallet_id,
        "network": "base",
        "asset": "USDC",
        "amount": amount,
        "to_address": to,
        "purpose": "bench",
        "idempotency_key": f"bench-{uuid.uuid4().hex}",
        "budget_guard": {
            "campaign_id": campaign,
            "max_per_tx": amount,
            "max_daily": cap,
            "max_campaign_total": cap,
        },
    }


async def _usdc(svc: Services, w3: AsyncWeb3) -> Any:
    record = json.loads((svc.settings.home.resolve() / "devnet-usdc.json").read_text())
    abi = json.loads(CONTRACT.read_text())["abi"]
    return w3.eth.contract(address=w3.to_checksum_address(record["embedded"]), abi=abi)


async def _funded(host: McpHost, who: CallIdentity) -> str:
    ids = {"tenant_id": who.tenant_id, "agent_id": who.agent_id}
    wallet = await host.call_tool("wallet", "create_wallet", ids, who=who)
    await host.call_tool("wallet", "fund_wallet", ids, who=who)
    return str(wallet["wallet_id"])


async def _race(
    svc: Services, hosts: list[McpHost], calls: list[dict[str, Any]], who: CallIdentity, cap: str
) -> dict[str, Any]:
    """Run the payments concurrently over the hosts; executed count, chain overspend, timing."""
    to = calls[0]["to_address"]
    started = time.perf_counter()
    results = await asyncio.gather(
        *(
            hosts[i % len(hosts)].call_tool("wallet", "send_transaction", args, who=who)
            for i, args in enumerate(calls)
        )
    )
    elapsed = time.perf_counter() - started
    amount = calls[0]["amount"]
    n = len(calls)
    w3 = AsyncWeb3(AsyncHTTPProvider(svc.endpoints.chain_rpc))
    received = Decimal(await (await _usdc(svc, w3)).functions.balanceOf(to).call()).scaleb(-6)
    executed = sum(1 for r in results if r["status"] == "executed")
    return {
        "requests": n,
        "executed": executed,
        "expected_executed": int(Decimal(cap) // Decimal(amount)),
        "on_chain_total": str(received),
        "cap": cap,
        "overspend": str(max(Decimal(0), received - Decimal(cap))),
        "wall_s": elapsed,
        "s_per_executed": elapsed / max(executed, 1),
    }


async def ours(
    svc: Services, hosts: list[McpHost], n: int, amount: str, cap: str
) -> dict[str, Any]:
    """N concurrent payments of one campaign against its total cap."""
    wallet_id = await _funded(hosts[0], WHO)
    campaign, to = f"cmp-bench-{uuid.uuid4().hex[:8]}", Account.create().address
    calls = [_args(wallet_id, campaign, to, amount, cap) for _ in range(n)]
    return await _race(svc, hosts, calls, WHO, cap)


async def _bench_agent(svc: Services) -> CallIdentity:
    """A fresh agent (the sample persona under a new id): its agent budget starts at 0."""
    persona = await asyncio.to_thread(load_persona, svc.settings.agents_dir, WHO.agent_id)
    agent = persona.model_copy(update={"agent_id": f"agent-bench-{uuid.uuid4().hex[:8]}"})
    async with tenant_tx(svc.pool, WHO.tenant_id) as conn:
        await sync_persona(conn, agent, f"agents/{WHO.agent_id}/SOUL.md")
    return CallIdentity(WHO.tenant_id, agent.agent_id, "bench-budget-agent")


async def ours_agent(
    svc: Services, hosts: list[McpHost], n: int, amount: str, cap: str, campaigns: int = 5
) -> dict[str, Any]:
    """N concurrent payments over `campaigns` campaigns of one agent whose daily cap is `cap`."""
    who = await _bench_agent(svc)
    wallet_id = await _funded(hosts[0], who)
    ids = {"tenant_id": who.tenant_id, "agent_id": who.agent_id}
    await hosts[0].call_tool("wallet", "set_agent_caps", {**ids, "max_daily": cap}, who=who)
    names = [f"cmp-bench-{uuid.uuid4().hex[:8]}" for _ in range(campaigns)]
    to = Account.create().address
    roomy = str(Decimal(amount) * n)  # each campaign alone would allow every payment
    calls = [_args(wallet_id, names[i % campaigns], to, amount, roomy, who) for i in range(n)]
    result = await _race(svc, hosts, calls, who, cap)
    return {**result, "campaigns": campaigns}


async def bare(svc: Services, transfers: int) -> dict[str, Any]:
    """Sequential raw USDC transfers with web3 on the same devnet (the library's floor)."""
    w3 = AsyncWeb3(AsyncHTTPProvider(svc.endpoints.chain_rpc))
    token, sender = await _usdc(svc, w3), Account.create()
    faucet = (await w3.eth.accounts)[0]
    for tx in (
        await w3.eth.send_transaction({"from": faucet, "to": sender.address, "value": 10**18}),
        await token.functions.mint(sender.address, 10**12).transact({"from": faucet}),
    ):
        await w3.eth.wait_for_transaction_receipt(tx, poll_latency=0.02)
    to, started = Account.create().address, time.perf_counter()
    for nonce in range(transfers):
        tx = await token.functions.transfer(to, 10**6).build_transaction(
            {
                "from": sender.address,
                "nonce": nonce,
                "gas": 100_000,
                "gasPrice": await w3.eth.gas_price,
            }
        )
        signed = sender.sign_transaction(tx)
        sent = await w3.eth.send_raw_transaction(signed.raw_transaction)
        await w3.eth.wait_for_transaction_receipt(sent, poll_latency=0.02)
    elapsed = time.perf_counter() - started
    return {"transfers": transfers, "wall_s": elapsed, "s_per_transfer": elapsed / transfers}


async def measure(n: int, amount: str, cap: str) -> dict[str, Any]:
    """Open services and two operator hosts, run both variants."""
    async with open_services(with_host=False) as svc:
        hosts = [await open_wallet_host(svc.settings, svc.endpoints) for _ in range(2)]
        try:
            result = await ours(svc, hosts, n, amount, cap)
            result["agent_cap"] = await ours_agent(svc, hosts, n, amount, cap)
        finally:
            for host in hosts:
                await host.aclose()
        floor = await bare(svc, max(result["executed"], 1))
    result["bare"] = floor
    result["ratio_per_payment"] = result["s_per_executed"] / floor["s_per_transfer"]
    return result


def main(n: int, amount: str, cap: str) -> dict[str, Any]:
    """Run the benchmark and print a summary; returns the JSON document to write."""
    result = asyncio.run(measure(n, amount, cap))
    print(
        f"{result['requests']} concurrent payments of {amount} USDC against a cap of {cap}:"
        f" executed {result['executed']} (expected {result['expected_executed']}),"
        f" on chain {result['on_chain_total']}, overspend {result['overspend']}\n"
        f"wall {result['wall_s']:.2f} s; per executed payment {result['s_per_executed']:.3f} s"
        f" vs bare web3 transfer {result['bare']['s_per_transfer']:.3f} s"
        f" (ratio {result['ratio_per_payment']:.1f}x: MCP + ledger + locks + rejections)"
    )
    agent = result["agent_cap"]
    print(
        f"agent cap: {agent['requests']} concurrent payments over {agent['campaigns']} campaigns"
        f" of one agent, daily cap {cap}: executed {agent['executed']}"
        f" (expected {agent['expected_executed']}), on chain {agent['on_chain_total']},"
        f" overspend {agent['overspend']}"
    )
    target = "overspend == 0 against a campaign cap and an agent cap (ARCHITECTURE §9)"
    return {"benchmark": "budget", "target": target, **result}
