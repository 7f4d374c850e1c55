"""What the wallet server holds for its lifetime: pools, keystore, chain; and tenant scoping.

Two pools: `pool` for short tenant transactions (reservations, reads) and `send_pool`
(autocommit) for the send phase, which holds one connection with a per-address advisory lock
from nonce to receipt, so a request never waits for a second connection while holding the lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg
from mcp.server.fastmcp import FastMCP
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from chimera.platform.db import Conn, Pool, open_pool
from chimera.platform.settings import Settings
from servers.bootstrap import server_endpoints
from servers.wallet.cdp_chain import CoinbaseChain
from servers.wallet.coinbase import CdpWallets, open_cdp
from servers.wallet.keystore import Keystore
from servers.wallet.signing import ChainReader

if TYPE_CHECKING:
    from servers.wallet.evm import EvmChain


@dataclass
class WalletDeps:
    """Lifespan resources of the wallet server.

    The chain is connected on first use: web3 and eth-account cost seconds to import, and every
    campaign host starts this server whether or not the run pays anything.
    """

    settings: Settings
    pool: Pool
    send_pool: Pool
    keystore: Keystore
    cdp: CdpWallets | None = None
    """Set when CHIMERA_WALLET_PROVIDER=coinbase: wallets are CDP server wallets, no local keys."""
    _chain: EvmChain | None = field(default=None, init=False)
    _chain_lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    async def chain(self) -> EvmChain:
        """The connected chain (anvil devnet, external RPC or in-process eth-tester)."""
        async with self._chain_lock:
            if self._chain is None:
                from servers.wallet.evm import open_chain

                self._chain = await open_chain(self.settings)
            return self._chain

    async def reader(self) -> ChainReader:
        """Balances and faucet of the configured provider (devnet chain or Coinbase CDP)."""
        return CoinbaseChain(self.cdp) if self.cdp is not None else await self.chain()

    async def new_address(self, tenant_id: str, wallet_id: str, network: str) -> str:
        """A new wallet's address: a local keystore key, or a CDP server account."""
        if self.cdp is None:
            return await self.keystore.create(tenant_id, wallet_id)
        self.cdp.check_network(network)
        return await self.cdp.create(tenant_id, wallet_id)

    async def discard(self, tenant_id: str, wallet_id: str) -> None:
        """Remove a local key whose wallet row never committed (CDP accounts hold no funds yet)."""
        if self.cdp is None:
            await self.keystore.discard(tenant_id, wallet_id)


@asynccontextmanager
async def wallet_lifespan(_: FastMCP[Any]) -> AsyncIterator[WalletDeps]:
    """Open pools, keystore and chain for the server's life."""
    settings = Settings()
    # Synchronous on purpose: a misconfigured server must die before the stdio reader starts
    # (off-loop, the error would wait for stdin to close). It runs once, before any request.
    cdp = open_cdp(settings) if settings.wallet_provider == "coinbase" else None
    endpoints = await server_endpoints(settings, "wallet")
    async with open_wallet_deps(settings, endpoints.pg_app, cdp) as deps:
        yield deps


@asynccontextmanager
async def open_wallet_deps(
    settings: Settings, pg_app: str, cdp: CdpWallets | None = None
) -> AsyncIterator[WalletDeps]:
    """The server's resources on the Postgres at `pg_app` (the non-owner, RLS role)."""
    pool = await open_pool(pg_app, max_size=5)
    send_pool: Pool = AsyncConnectionPool(
        pg_app,
        connection_class=psycopg.AsyncConnection[DictRow],
        min_size=1,
        max_size=4,
        kwargs={"row_factory": dict_row, "autocommit": True},
        open=False,
    )
    await send_pool.open(wait=True, timeout=30)
    try:
        keystore = Keystore(
            settings.home.resolve() / "keystore",
            settings.wallet_keystore_password,
            settings.wallet_kdf_n,
        )
        yield WalletDeps(settings, pool, send_pool, keystore, cdp)
    finally:
        await send_pool.close()
        await pool.close()


@asynccontextmanager
async def scoped(conn: Conn, tenant_id: str) -> AsyncIterator[Conn]:
    """A transaction on an autocommit connection in which only `tenant_id`'s rows are visible."""
    async with conn.transaction():
        await conn.execute("SELECT set_config('app.tenant_id', %s, true)", (tenant_id,))
        yield conn


@asynccontextmanager
async def address_lock(pool: Pool, address: str) -> AsyncIterator[Conn]:
    """Hold the per-address send lock (serialises nonces across processes) on one connection."""
    async with pool.connection() as conn:
        key = f"wallet-send:{address.lower()}"
        await conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (key,))
        try:
            yield conn
        finally:
            try:
                await conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))
            except psycopg.Error:
                await conn.close()  # a closed session drops its locks
