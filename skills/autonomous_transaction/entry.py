"""The sync, zero-configuration entry point: services, a wallet host, a devnet wallet if needed.

On the local devnet a wallet id the tenant does not know yet is provisioned for the agent and
dripped from the faucet, so the §5.3 example runs on a fresh machine; on any other chain an
unknown wallet is simply rejected. Runs in a fresh event loop (a worker thread when the caller's
thread already runs one).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

from chimera.mcp.errors import InvalidToolArguments, McpCallError, ToolNotFound
from chimera.mcp.host import CallIdentity, McpHost
from chimera.mcp.wallet import open_wallet_host
from chimera.platform.settings import Settings
from chimera.resources import open_services
from skills.autonomous_transaction.run import aexecute_transaction

T = TypeVar("T")


def _fresh_loop(coro: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def provision_devnet_wallet(host: McpHost, raw: dict[str, Any]) -> None:
    """Create and first-fund `raw['wallet_id']` for the agent (devnet faucet only).

    Both steps are idempotent and the first funding is serialised by the wallet server, so ten
    concurrent first calls all find a funded wallet.
    """
    ids = {k: raw.get(k) for k in ("tenant_id", "agent_id", "wallet_id")}
    if not all(isinstance(v, str) and v for v in ids.values()):
        return
    who = CallIdentity(str(ids["tenant_id"]), str(ids["agent_id"]))
    try:
        await host.call_tool("wallet", "create_wallet", ids, who=who)
        await host.call_tool("wallet", "fund_wallet", {**ids, "first_only": True}, who=who)
    except (InvalidToolArguments, McpCallError, ToolNotFound):
        return  # not a devnet, or the id is taken: the send is rejected with the reason


async def _execute(raw: dict[str, Any]) -> dict[str, Any]:
    settings = await asyncio.to_thread(Settings)  # reads .env: off the loop
    async with open_services(settings, with_host=False) as svc:
        host = await open_wallet_host(settings, svc.endpoints)
        try:
            await provision_devnet_wallet(host, raw)
            return await aexecute_transaction(host, ledger=svc.pool, **raw)
        finally:
            await host.aclose()


def execute_transaction(**raw: Any) -> dict[str, Any]:
    """Run one §5.3 transaction with no configuration; returns the §5.3 receipt dict."""
    return _fresh_loop(_execute(raw))
