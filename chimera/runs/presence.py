"""Presence: an agent's availability, published to the bridge on change and periodically.

It is published whenever status, load or capabilities change, and at least every
`openclaw_presence_every_s` seconds.

`current_load` is the agent's real pending work (open tasks of its campaigns and pending reviews)
over `openclaw_capacity`, read from the control plane; niche and capabilities come from the
persona. Publishing goes through the MCP host like every other side effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from chimera.control import network
from chimera.control.personas import load_persona
from chimera.mcp.host import CallIdentity
from chimera.platform.db import tenant_tx
from chimera.resources import Services

log = logging.getLogger(__name__)


@dataclass
class Presence:
    """One agent's presence publisher; `tick` publishes only on change or when due."""

    svc: Services
    agent_id: str
    status: str = "online"
    _last: tuple[Any, ...] | None = field(default=None, init=False)
    _at: float = field(default=0.0, init=False)

    async def availability(self) -> tuple[str, dict[str, Any]]:
        """The agent's tenant and its availability as `publish_availability` takes it."""
        persona = await asyncio.to_thread(load_persona, self.svc.settings.agents_dir, self.agent_id)
        async with tenant_tx(self.svc.pool, persona.tenant_id) as conn:
            pending = await network.pending_work(conn, self.agent_id)
        load = min(1.0, pending / self.svc.settings.openclaw_capacity)
        return persona.tenant_id, {
            "status": self.status,
            "niche": [w for w in persona.niche if _slug(w)],
            "capabilities": list(persona.platforms),
            "current_load": round(load, 3),
            "preferred_collaborations": list(persona.topics),
        }

    async def tick(self, *, force: bool = False) -> dict[str, Any] | None:
        """Publish if the state changed, the period elapsed, or `force`; returns what was sent."""
        tenant, body = await self.availability()
        key = (body["status"], body["current_load"], tuple(body["capabilities"]))
        due = time.monotonic() - self._at >= self.svc.settings.openclaw_presence_every_s
        if not (force or due or key != self._last):
            return None
        who = CallIdentity(tenant, self.agent_id, "presence")
        args = {"tenant_id": tenant, "agent_id": self.agent_id, "availability": body}
        result: dict[str, Any] = await self.svc.host.call_tool(
            "openclaw", "publish_availability", args, who=who
        )
        self._last, self._at = key, time.monotonic()
        return result

    async def run(self, stop: asyncio.Event, poll_s: float = 30.0) -> None:
        """Tick until `stop`, polling for changes every `poll_s`; publish `offline` at the end.

        Presence is best effort: a tick the bridge refuses (or a lost service) is logged with
        its reason and retried at the next poll; it never stops the agent's own work.
        """
        try:
            while not stop.is_set():
                await self._safe_tick()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), poll_s)
        finally:
            self.status = "offline"
            await self._safe_tick(force=True)

    async def _safe_tick(self, *, force: bool = False) -> None:
        try:
            await self.tick(force=force)
        except Exception as exc:  # best effort: say why, retry at the next poll
            log.warning("presence of %s not published: %s", self.agent_id, exc)


def _slug(word: str) -> bool:
    return word.replace("-", "").isalnum() and word == word.lower() and len(word) <= 60
