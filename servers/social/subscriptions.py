"""Subscriptions to `twitter://mentions/recent`: who is told when an agent's mentions change.

A session subscribes as a caller (tenant and agent from the request `_meta`, the tenant from the
bearer token over HTTP), so one host session may hold subscriptions for several agents; the
notification names its agent in its `_meta`. Stored mentions are announced by Postgres (`NOTIFY
social_mentions`, migration 0005) whichever process stored them: the sandbox receiving one, the
X cache fetching new ones, a server of another host. Each server LISTENs on its own connection
and sends `notifications/resources/updated` to the subscribers of that tenant's agent only.

A session that is gone is forgotten (weakly held, and dropped at its first failed send). A lost
listener connection reconnects and then wakes every subscriber once: a mention may have been
stored while nobody was listening, and a spurious re-read costs less than a missed one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from dataclasses import dataclass, field

import anyio
import psycopg
from mcp import types
from mcp.server.session import ServerSession
from psycopg import sql
from pydantic import AnyUrl

from chimera.platform.db import Pool, tenant_tx
from servers.runtime import InvalidArgument, NotFound

log = logging.getLogger(__name__)

MENTIONS_URI = "twitter://mentions/recent"
"""The one resource of this server that can be subscribed to."""
CHANNEL = "social_mentions"
"""The Postgres channel migration 0005's trigger notifies with `{tenant_id, agent_id}`."""

Key = tuple[str, str]
"""(tenant id, agent id) of a subscription."""


def mentions_key(uri: AnyUrl | str, who: dict[str, str]) -> Key:
    """The subscription a validated caller asks for.

    Raises:
        InvalidArgument: another URI, or no agent in the request `_meta`.

    """
    if str(uri) != MENTIONS_URI:
        raise InvalidArgument(f"only {MENTIONS_URI} can be subscribed to, not {str(uri)!r}")
    agent_id = who.get("agent_id")
    if not agent_id:
        raise InvalidArgument("agent_id is required in the request _meta")
    return who["tenant_id"], agent_id


async def check_owned(pool: Pool, key: Key) -> None:
    """Refuse an agent the tenant does not own (the same answer as a missing one).

    Raises:
        NotFound: the agent is not registered under the tenant.

    """
    tenant_id, agent_id = key
    async with tenant_tx(pool, tenant_id) as conn:
        row = await (
            await conn.execute("SELECT 1 FROM agents WHERE id = %s", (agent_id,))
        ).fetchone()
    if row is None:
        raise NotFound(f"agent {agent_id!r} not found")


def updated(key: Key) -> types.ServerNotification:
    """`notifications/resources/updated` for the mentions of one agent (named in `_meta`)."""
    meta = types.NotificationParams.Meta(**{"tenant_id": key[0], "agent_id": key[1]})
    params = types.ResourceUpdatedNotificationParams(uri=AnyUrl(MENTIONS_URI), _meta=meta)
    return types.ServerNotification(types.ResourceUpdatedNotification(params=params))


@dataclass
class Subscriptions:
    """The sessions subscribed to each agent's mentions."""

    _by_key: dict[Key, weakref.WeakSet[ServerSession]] = field(default_factory=dict)

    def add(self, key: Key, session: ServerSession) -> None:
        """Subscribe `session` to the agent's mentions (again is a no-op)."""
        self._by_key.setdefault(key, weakref.WeakSet()).add(session)

    def remove(self, key: Key, session: ServerSession) -> None:
        """Unsubscribe `session` from the agent's mentions (not subscribed is a no-op)."""
        sessions = self._by_key.get(key)
        if sessions is not None:
            sessions.discard(session)
            if not sessions:
                del self._by_key[key]

    def sessions(self, key: Key) -> list[ServerSession]:
        """The live sessions subscribed to the agent's mentions."""
        return list(self._by_key.get(key, ()))

    async def notify(self, key: Key) -> int:
        """Tell the agent's subscribers its mentions changed; return how many were told."""
        told = 0
        for session in self.sessions(key):
            try:
                await session.send_notification(updated(key))
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                self.remove(key, session)
                continue
            told += 1
        return told

    async def notify_all(self) -> None:
        """Tell every subscriber (after a gap in listening)."""
        for key in list(self._by_key):
            await self.notify(key)


def parse(payload: str) -> Key | None:
    """The (tenant, agent) of a channel payload, or None when it is malformed."""
    try:
        data = json.loads(payload)
        return str(data["tenant_id"]), str(data["agent_id"])
    except (ValueError, KeyError, TypeError):
        return None


async def listen(conninfo: str, subs: Subscriptions, retry_s: float = 1.0) -> None:
    """Relay the channel to `subs` until cancelled, reconnecting after a lost connection."""
    heard = False
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
                if heard:
                    await subs.notify_all()
                heard = True
                async for note in conn.notifies():
                    key = parse(note.payload)
                    if key is None:
                        log.warning("ignored a malformed %s payload: %r", CHANNEL, note.payload)
                        continue
                    await subs.notify(key)
        except psycopg.OperationalError as exc:
            log.warning("mention listener lost its connection (%s); reconnecting", exc)
        await asyncio.sleep(retry_s)
