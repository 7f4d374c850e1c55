"""A long-running perceiving agent (`chimera perceive --interval S`): answers as mentions arrive.

Before its first pass the agent subscribes to its mentions, then becomes present on the network
(online while it polls, on every change of load and at least every
`openclaw_presence_every_s`; offline at the end). Each pass is followed by a wait for the next
trigger: a mention update (debounced, `perceive_debounce_s`) or the interval, whichever comes
first, so a new mention starts its engagement run within seconds (specs/engagement.md §5.3).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from chimera.control.personas import load_persona
from chimera.mcp.host import CallIdentity
from chimera.resources import Services
from chimera.runs.presence import Presence
from chimera.runs.wakeups import Wakeups
from chimera.signals.feeds import subscribe_mentions

log = logging.getLogger(__name__)


async def poll(
    svc: Services, agent_id: str, interval_s: float, one_pass: Callable[[], Awaitable[None]]
) -> None:
    """Run `one_pass` now, then on each mention update or every `interval_s`, until cancelled."""
    persona = await asyncio.to_thread(load_persona, svc.settings.agents_dir, agent_id)
    who = CallIdentity(persona.tenant_id, agent_id, "perceive")
    wakeups = Wakeups(interval_s, svc.settings.perceive_debounce_s)
    # Refused or failed, the interval alone triggers passes. The subscription ends with the
    # host's session (the server forgets a closed session).
    await subscribe_mentions(svc.host, who, wakeups.wake)
    stop = asyncio.Event()
    presence = asyncio.create_task(Presence(svc, agent_id).run(stop), name="presence")
    try:
        while True:
            await one_pass()
            reason = await wakeups.next()
            log.info("perception pass for %s (%s)", agent_id, reason)
    finally:
        stop.set()
        await asyncio.shield(presence)
