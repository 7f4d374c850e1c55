"""Budget: N concurrent payments against one cap through the wallet server, vs bare transfers.

ARCHITECTURE §9: 50 concurrent transactions against a cap -> 0 overspend. Two wallet server
processes (two hosts) race N `send_transaction` calls of `amount` USDC against a campaign total
`cap`; the bench reports how many executed (must be floor(cap / amount)), the overspend measured
ON CHAIN (must be 0), and the time per executed payment next to a bare web3 transfer on the same
devnet (sign, broadcast, receipt; no ledger, no MCP), run in the same process.
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

from chimera.mcp.host import CallIdentity, McpHost
from chimera.mcp.wallet import open_wallet_host
from chimera.platform.devnet import CONTRACT
from chimera.resources import Services, open_services

WHO = CallIdentity("tenant-xyz", "agent-ethiopia-fashion-001", "bench-budget")


def _args(wallet_id: str, campaign: str, to: str, amount: str, cap: str) -> dict[str, Any]:
    return {
        "tenant_id": WHO.tenant_id,
        "agent_id": WHO.agent_id,
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


async def ours(
    svc: Services, hosts: list[McpHost], n: int, amount: str, cap: str
) -> dict[str, Any]:
    """N concurrent payments through the hosts; executed count, overspend on chain, timing."""
    wallet = await hosts[0].call_tool(
        "wallet", "create_wallet", {"tenant_id": WHO.tenant_id, "agent_id": WHO.agent_id}, who=WHO
    )
    await hosts[0].call_tool(
        "wallet", "fund_wallet", {"tenant_id": WHO.tenant_id, "agent_id": WHO.agent_id}, who=WHO
    )
    campaign, to = f"cmp-bench-{uuid.uuid4().hex[:8]}", Account.create().address
    started = time.perf_counter()
    results = await asyncio.gather(
        *(
            hosts[i % len(hosts)].call_tool(
                "wallet",
                "send_transaction",
                _args(wallet["wallet_id"], campaign, to, amount, cap),
                who=WHO,
            )
            for i in range(n)
        )
    )
    elapsed = time.perf_counter() - started
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
    return {"benchmark": "budget", "target": "overspend == 0 (ARCHITECTURE §9)", **result}
