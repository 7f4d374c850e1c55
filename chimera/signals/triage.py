"""Engagement triage for one run: which unhandled mentions it answers, ignores or leaves waiting.

Every mention read is recorded in the ledger; those another run already decided are dropped.
The rest are classified, grounded (knowledge + `fact` memories for product questions), decided
and ranked. Ignored mentions are claimed at once (they cost no cadence); replies and
escalations are claimed highest priority first while the run's cadence lasts (per run, and per
rolling hour across the agent's runs). What the cadence leaves stays `new` for a later pass.
Claims are conditional writes, so two racing runs never both answer one mention.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chimera.control import mentions as ledger
from chimera.mcp.errors import McpCallError
from chimera.mcp.host import CallIdentity, McpHost
from chimera.memory.recall import search_memories
from chimera.platform.db import Pool, tenant_tx
from chimera.strategies.answers import decide, priority, relevant_facts
from chimera.strategies.intents import IntentClassifier
from chimera.strategies.planner import reply_key
from state.context import Context
from state.engagement import Engagement, IgnoreReason, Intent
from state.persona import Persona
from state.records import Mention

log = logging.getLogger(__name__)
FACT_MEMORIES = 5
ANSWERED_ELSEWHERE: IgnoreReason = "answered elsewhere"


@dataclass(frozen=True)
class Triage:
    """What a run needs to triage its mentions."""

    pool: Pool
    host: McpHost
    classifier: IntentClassifier
    who: CallIdentity
    """Tenant, agent and the run's thread id (`run_id`)."""
    campaign_id: str


async def memory_facts(host: McpHost, who: CallIdentity, question: str) -> list[str]:
    """The agent's `fact` memories nearest to the question (none when memory is unavailable)."""
    try:
        hits = await search_memories(
            host, who, question, FACT_MEMORIES, agent_id=who.agent_id, source_type="fact"
        )
    except McpCallError as exc:  # no memory server: answer from SOUL.md knowledge alone
        log.warning("engagement: fact memories unavailable: %s", exc)
        return []
    return [h.text for h in hits]


async def assess(t: Triage, persona: Persona, mention: Mention, ctx: Context) -> Engagement:
    """Classify, ground and decide one mention."""
    verdict = await t.classifier.classify(mention.text, persona)
    if mention.answered:  # the account replied on the platform: answering again is spam
        return Engagement(
            mention=mention,
            intent=verdict.intent,
            action="ignore",
            reason=ANSWERED_ELSEWHERE,
            priority=round(priority(verdict.intent, mention.created_at), 6),
        )
    facts: list[str] = []
    if verdict.intent == Intent.PRODUCT_QUESTION:
        known = [*persona.knowledge, *await memory_facts(t.host, t.who, mention.text)]
        facts = relevant_facts(mention.text, known)
    action, reason = decide(verdict, facts, ctx)
    return Engagement(
        mention=mention,
        intent=verdict.intent,
        action=action,
        reason=reason,
        priority=round(priority(verdict.intent, mention.created_at), 6),
        facts=facts,
        topic=verdict.topic[:200] or None,
    )


async def _unhandled(t: Triage, found: list[Mention]) -> list[Mention]:
    async with tenant_tx(t.pool, t.who.tenant_id) as conn:
        await ledger.record_seen(conn, t.who.tenant_id, t.who.agent_id, found)
        done = await ledger.decided(
            conn, t.who.agent_id, [m.mention_id for m in found], t.who.run_id
        )
    return [m for m in found if m.mention_id not in done]


async def _budget(t: Triage, ctx: Context) -> int:
    since = datetime.now(UTC) - timedelta(hours=1)
    async with tenant_tx(t.pool, t.who.tenant_id) as conn:
        recent = await ledger.answers_since(conn, t.who.agent_id, since, t.who.run_id)
    return max(0, min(ctx.max_replies, ctx.max_replies_per_hour - recent))


async def triage(
    t: Triage, persona: Persona, found: list[Mention], ctx: Context
) -> list[Engagement]:
    """Decide the run's mentions and return those it answers, highest priority first.

    Args:
        t: The run's services and identity.
        persona: The run's persona (topics, knowledge).
        found: The mentions read for this run.
        ctx: The run's effective settings (cadence, complaint and deferral policy).

    Returns:
        The engagements this run claimed to reply to or escalate.

    """
    assessed = [await assess(t, persona, m, ctx) for m in await _unhandled(t, found)]
    assessed.sort(key=lambda e: e.priority, reverse=True)
    budget, answering = await _budget(t, ctx), list[Engagement]()
    run = (t.who.run_id, t.campaign_id)
    for engagement in assessed:
        if engagement.action != "ignore" and len(answering) >= budget:
            continue  # over the cadence: stays `new` for a later pass
        key = None if engagement.action == "ignore" else reply_key(engagement.mention.mention_id)
        async with tenant_tx(t.pool, t.who.tenant_id) as conn:
            won = await ledger.claim(conn, t.who.tenant_id, t.who.agent_id, engagement, run, key)
        if won and key is not None:
            answering.append(engagement)
    return answering
