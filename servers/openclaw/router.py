"""The embedded OpenClaw router: a real multi-agent network inside this deployment.

Delivery is a row in the recipient's tenant (written in that tenant's transaction, so row-level
security still holds); nothing else about the sender crosses. Every send is admitted against the
sender's per-minute rate and daily quota; refusals cost reputation, and senders whose reputation
falls under `openclaw_min_reputation` are ignored (their signals are dropped on delivery).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg.types.json import Jsonb

from chimera.platform.db import Pool, tenant_tx
from chimera.platform.settings import Settings
from servers.openclaw import policy
from servers.openclaw.models import WITHHELD, Availability, Trend
from servers.runtime import InvalidArgument, NotFound, ServerError


class RateLimited(ServerError):
    """The sender's rate or quota is spent until `retry_at`."""

    code = "rate_limited"


class Refused(ServerError):
    """The tenant policy or an operator lock forbids the exchange."""

    code = "refused"


def address_hash(address: str) -> str:
    """Minimal, hashed wallet information: never the address itself."""
    return "sha256:" + hashlib.sha256(address.lower().encode()).hexdigest()[:16]


def _z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "agent_id": row["agent_id"],
        "tenant_id": row["home_tenant"],
        "status": row["status"],
        "niche": list(row["niche"]),
        "capabilities": list(row["capabilities"]),
        "current_load": row["current_load"],
        "preferred_collaborations": list(row["preferred_collaborations"]),
        "wallet_public_info": row["wallet_public_info"],
        "updated_at": _z(row["updated_at"]),
    }


@dataclass
class EmbeddedRouter:
    """Directory, inboxes and admission control on the runtime role's pool."""

    pool: Pool
    settings: Settings

    async def sharing(self, tenant_id: str) -> str:
        """The tenant's sharing policy (the setting's default without a policy row)."""
        return await policy.sharing_of(self.pool, tenant_id, self.settings.openclaw_default_sharing)

    async def publish(
        self, tenant_id: str, agent_id: str, avail: Availability, now: datetime
    ) -> dict[str, Any] | None:
        """Publish the shareable projection of an agent's availability (None: policy `none`)."""
        sharing = await self.sharing(tenant_id)
        async with self.pool.connection() as conn, conn.transaction():
            if sharing == "none":
                await conn.execute(
                    "DELETE FROM openclaw_directory WHERE home_tenant = %s AND agent_id = %s",
                    (tenant_id, agent_id),
                )
                return None
            wallet = avail.wallet and {
                "network": avail.wallet.network,
                "address_hash": address_hash(avail.wallet.address),
                "can_receive_tips": avail.wallet.can_receive_tips,
            }
            row = await (
                await conn.execute(
                    "INSERT INTO openclaw_directory (home_tenant, agent_id, visibility, status,"
                    " niche, capabilities, current_load, preferred_collaborations,"
                    " wallet_public_info, updated_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                    " ON CONFLICT (home_tenant, agent_id) DO UPDATE SET"
                    " visibility = EXCLUDED.visibility, status = EXCLUDED.status,"
                    " niche = EXCLUDED.niche, capabilities = EXCLUDED.capabilities,"
                    " current_load = EXCLUDED.current_load,"
                    " preferred_collaborations = EXCLUDED.preferred_collaborations,"
                    " wallet_public_info = EXCLUDED.wallet_public_info,"
                    " updated_at = EXCLUDED.updated_at RETURNING *",
                    (
                        tenant_id, agent_id, sharing, avail.status, avail.niche,
                        avail.capabilities, avail.current_load, avail.preferred_collaborations,
                        _json(wallet), now,
                    ),
                )
            ).fetchone()  # fmt: skip
        assert row is not None
        return _entry(row)

    async def own(self, tenant_id: str, agent_id: str) -> dict[str, Any]:
        """The agent's own published availability."""
        async with self.pool.connection() as conn:
            row = await (
                await conn.execute(
                    "SELECT * FROM openclaw_directory WHERE home_tenant = %s AND agent_id = %s",
                    (tenant_id, agent_id),
                )
            ).fetchone()
        if row is None:
            raise NotFound(f"{agent_id} has published no availability")
        return _entry(row)

    async def visible(self, tenant_id: str) -> list[dict[str, Any]]:
        """Every agent whose availability this tenant may see, under both tenants' policies."""
        mine = await self.sharing(tenant_id)
        async with self.pool.connection() as conn:
            rows = await (
                await conn.execute(
                    "SELECT * FROM openclaw_directory WHERE home_tenant = %s"
                    " OR visibility = 'network' ORDER BY home_tenant, agent_id",
                    (tenant_id,),
                )
            ).fetchall()
        policies: dict[str, str] = {}
        seen = []
        for row in rows:
            home = row["home_tenant"]
            if home not in policies:
                policies[home] = await self.sharing(home)
            if policy.reachable(tenant_id, mine, home, policies[home]):
                seen.append(_entry(row))
        return seen

    async def recipients(
        self, tenant_id: str, agent_id: str, to: list[str] | None
    ) -> list[tuple[str, str]]:
        """(tenant, agent) of every reachable recipient: the named ones, or all (broadcast)."""
        found = [
            (e["tenant_id"], e["agent_id"])
            for e in await self.visible(tenant_id)
            if (e["tenant_id"], e["agent_id"]) != (tenant_id, agent_id)
        ]
        if to is None:
            return found
        picked = []
        for name in to:
            match = [pair for pair in found if pair[1] == name]
            if not match:
                raise NotFound(f"no reachable agent {name}")
            same = [pair for pair in match if pair[0] == tenant_id]
            picked.append((same or match)[0])
        return picked

    async def admit(self, tenant_id: str, agent_id: str, kind: str, now: datetime) -> None:
        """Count one send against the sender's rate and quota, or refuse it (costs reputation).

        Raises:
            RateLimited: the minute's rate or the day's quota is spent.

        """
        async with tenant_tx(self.pool, tenant_id) as conn:
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"openclaw:{tenant_id}:{agent_id}",)
            )
            row = await (
                await conn.execute(
                    "SELECT count(*) FILTER (WHERE sent_at > %s) AS minute, count(*) AS day,"
                    " min(sent_at) FILTER (WHERE sent_at > %s) AS first_minute, min(sent_at)"
                    " AS first_day FROM openclaw_sends WHERE agent_id = %s AND accepted"
                    " AND sent_at > %s",
                    (now - timedelta(minutes=1), now - timedelta(minutes=1), agent_id,
                     now - timedelta(days=1)),
                )
            ).fetchone()  # fmt: skip
            assert row is not None
            retry_at = None
            if row["day"] >= self.settings.openclaw_daily_quota:
                retry_at = row["first_day"] + timedelta(days=1)
            elif row["minute"] >= self.settings.openclaw_rate_per_minute:
                retry_at = row["first_minute"] + timedelta(minutes=1)
            await conn.execute(
                "INSERT INTO openclaw_sends (tenant_id, agent_id, kind, accepted, sent_at)"
                " VALUES (%s, %s, %s, %s, %s)",
                (tenant_id, agent_id, kind, retry_at is None, now),
            )
            if retry_at is not None:
                await policy.adjust(conn, tenant_id, agent_id, -policy.REFUSAL_PENALTY, now)
        if retry_at is not None:
            raise RateLimited(f"{agent_id} sent too much; retry_at={_z(retry_at)}")

    async def share(
        self,
        tenant_id: str,
        agent_id: str,
        trend: Trend,
        to: list[str] | None,
        expires_at: datetime,
        now: datetime,
    ) -> dict[str, Any]:
        """Deliver a trend signal's high-level fields to every reachable recipient's inbox."""
        if expires_at <= now:
            raise InvalidArgument("expires_at is already past")
        if await self.sharing(tenant_id) == "none":
            raise Refused(f"the policy of {tenant_id} shares nothing")
        targets = await self.recipients(tenant_id, agent_id, to)
        await self.admit(tenant_id, agent_id, "signal", now)
        async with tenant_tx(self.pool, tenant_id) as conn:
            score = await policy.reputation(conn, agent_id)
        withheld = [f for f in WITHHELD if getattr(trend, f)]
        base = {"tenant_id": tenant_id, "agent_id": agent_id, "signal_id": "", "delivered": 0}
        base |= {"ignored": 0, "withheld_fields": withheld}
        if score < self.settings.openclaw_min_reputation:
            return base | {"ignored": len(targets)}
        signal_id = (
            "sig-" + hashlib.sha256(f"{tenant_id}/{agent_id}/{trend.id}".encode()).hexdigest()[:20]
        )
        expires = min(expires_at, now + timedelta(hours=self.settings.openclaw_signal_ttl_hours))
        for home, to_agent in targets:
            async with tenant_tx(self.pool, home) as conn:
                await conn.execute(
                    "INSERT INTO openclaw_signals (tenant_id, to_agent_id, signal_id, from_tenant,"
                    " from_agent_id, topic, confidence, regions, tags, priority, received_at,"
                    " expires_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                    " ON CONFLICT DO NOTHING",
                    (home, to_agent, signal_id, tenant_id, agent_id, trend.topic,
                     trend.confidence, trend.regions, trend.tags, trend.confidence * score,
                     now, expires),
                )  # fmt: skip
        return base | {"signal_id": signal_id, "delivered": len(targets)}

    async def signals(self, tenant_id: str, agent_id: str, now: datetime) -> list[dict[str, Any]]:
        """The agent's unexpired received signals, highest priority first (expired are purged)."""
        async with tenant_tx(self.pool, tenant_id) as conn:
            await conn.execute("DELETE FROM openclaw_signals WHERE expires_at <= %s", (now,))
            rows = await (
                await conn.execute(
                    "SELECT signal_id, from_agent_id, topic, confidence, regions, tags, priority,"
                    " received_at, expires_at FROM openclaw_signals WHERE to_agent_id = %s"
                    " ORDER BY priority DESC, received_at DESC LIMIT 200",
                    (agent_id,),
                )
            ).fetchall()
        return [
            dict(r) | {"received_at": _z(r["received_at"]), "expires_at": _z(r["expires_at"])}
            for r in rows
        ]


def _json(value: Any) -> Jsonb | None:
    return None if value is None else Jsonb(value)
