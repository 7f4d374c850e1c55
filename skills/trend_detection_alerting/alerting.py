"""Acting on alerts: one perception pass detects trends, queues new alerts and decides each.

The trend skill stores alerts; every alert still `new` is published to the tenant's alert stream
(so a crash between storing and publishing only delays it); the consumer reclaims stuck entries,
reads new ones, and claims each alert with a conditional update, so duplicates (redeliveries,
re-publications) are dropped by alert id. A run for an alert uses the campaign id
`cmp-<alert id>`, so even two racing consumers cannot publish twice (campaign lease + intents).
A lost Redis or database ends the pass with its error: the alert being decided stays `new` and
its entry pending, so the next pass (once the service is back) decides it, resuming its run.

Mentions start engagement without a campaign goal: a pass records the agent's mentions in the
engagement ledger and, when some are still undecided, starts one engagement run (replies only)
in the campaign `engage-<agent>-<UTC hour>`, so passes within an hour share one campaign.

How a run is started and how due reviews are expired is the caller's: the CLI drives runs
in-process (`chimera.runs.perception`), the LangGraph server starts them through its own API
(`chimera.serving.graphs`). Nothing here drives the campaign graph.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol

import psycopg
import redis.exceptions

from chimera.control import alerts, repo
from chimera.control import mentions as ledger
from chimera.control.errors import RunInProgress
from chimera.control.personas import load_persona
from chimera.mcp.host import CallIdentity
from chimera.memory.alerts import remember_alerts
from chimera.platform.db import DatabaseUnavailable, tenant_tx
from chimera.resources import Services
from chimera.signals.alert_stream import AlertStream, Entry
from chimera.signals.feeds import read_mentions
from chimera.strategies.relevance import Relevance
from skills.trend_detection_alerting.request import NETWORK_SIGNALS
from skills.trend_detection_alerting.skill import EmbeddingsArg, aexecute_trend_detection
from state.context import Context
from state.contracts import Trend
from state.persona import Persona
from state.types import utc_now

log = logging.getLogger(__name__)
StartRun = Callable[[Persona, Trend, str], Awaitable[str]]
"""(persona, trend, campaign id) -> the run's state; raises `RunInProgress` when it is busy."""
StartEngagement = Callable[[Persona, str], Awaitable[str]]
"""(persona, campaign id) -> the state of an engagement run (replies only); may raise
`RunInProgress`."""
ExpireReviews = Callable[[str], Awaitable[list[str]]]
"""tenant id -> ids of the due reviews that took their default action."""
Outcome = Literal["started", "ignored", "duplicate", "failed"]
LOST_SERVICE: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    DatabaseUnavailable,
    psycopg.OperationalError,
)
"""A lost Redis or database stops the pass: every later alert would fail the same way."""


class RunControl(Protocol):
    """How a pass starts campaign runs and expires due reviews (injected by its caller)."""

    def starter(self, ctx: Context) -> StartRun:
        """The run starter for a pass run with `ctx`."""
        ...

    def engager(self, ctx: Context) -> StartEngagement:
        """The engagement run starter for a pass run with `ctx`."""
        ...

    async def expire_reviews(self, tenant_id: str) -> list[str]:
        """Give the tenant's due reviews their default action; return their ids."""
        ...


@dataclass
class PerceiveReport:
    """What one pass did."""

    detected: list[str] = field(default_factory=list)
    flagged: int = 0
    published: int = 0
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    """Alert id -> what happened to it (the last delivery wins)."""
    duplicates: int = 0
    remembered: int = 0
    """Alerts written to long-term memory (0 when no memory server is configured)."""
    runs: dict[str, str] = field(default_factory=dict)
    """Alert id -> campaign id of the run it started."""
    expired: list[str] = field(default_factory=list)
    """Reviews of the tenant past their expiry that took their default action in this pass."""
    mentions_waiting: int = 0
    """Mentions of the agent no run has decided yet (before this pass's engagement run)."""
    engagement_run: str | None = None
    """The campaign of the engagement run this pass started, if any."""


def campaign_for(alert_id: str) -> str:
    """The campaign a trend alert's run belongs to."""
    return f"cmp-{alert_id}"


def engagement_campaign(agent_id: str, now: datetime | None = None) -> str:
    """The engagement campaign of an agent for the current UTC hour."""
    return f"engage-{agent_id}-{(now or datetime.now(UTC)):%Y%m%d%H}"


ENGAGEMENT_RUNS_PER_HOUR = 12
"""How many engagement campaigns an agent may open in one hour (each after the last paused)."""


async def open_engagement(svc: Services, persona: Persona) -> str:
    """The engagement campaign of the current hour that is not waiting for reviews.

    `engage-<agent>-<hour>`, else `...-2`, `...-3`: a run paused on an escalated mention must
    not hold back the mentions that arrive after it until the hour turns.
    """
    base = engagement_campaign(persona.agent_id)
    async with tenant_tx(svc.pool, persona.tenant_id) as conn:
        for n in range(1, ENGAGEMENT_RUNS_PER_HOUR + 1):
            campaign = base if n == 1 else f"{base}-{n}"
            last = await repo.latest_thread(conn, campaign)
            if last is None or last["status"] != "paused":
                return campaign
    return base  # all paused: the first reports that it waits for reviews


def engagement_goal(persona: Persona) -> str:
    """The goal of an engagement run (no post: it answers mentions)."""
    return f"Answer the unhandled mentions of {persona.handle}."


async def engage(
    svc: Services, persona: Persona, start: StartEngagement, report: PerceiveReport
) -> None:
    """Record the agent's mentions; start an engagement run when some are undecided."""
    found, warnings = await read_mentions(
        svc.host, CallIdentity(persona.tenant_id, persona.agent_id)
    )
    for warning in warnings:
        log.warning("perception: %s", warning)
    async with tenant_tx(svc.pool, persona.tenant_id) as conn:
        await ledger.record_seen(conn, persona.tenant_id, persona.agent_id, found)
        report.mentions_waiting = await ledger.count_new(conn, persona.agent_id)
    if not report.mentions_waiting:
        return
    campaign = await open_engagement(svc, persona)
    try:
        await start(persona, campaign)
    except RunInProgress:
        return  # this hour's engagement run is still going; it answers them
    report.engagement_run = campaign


def goal_for(trend: Trend, persona: Persona) -> str:
    """A campaign goal riding a trend, in the persona's niche and main platform."""
    topic = trend.topic.replace("-", " ")
    return f"Ride the {topic} trend with a {persona.niche[0]} post on {persona.platforms[0]}."


async def _claim(svc: Services, tenant: str, alert_id: str, status: str) -> bool:
    async with tenant_tx(svc.pool, tenant) as conn:
        return await alerts.claim(conn, alert_id, status, campaign_for(alert_id))


@dataclass
class Decider:
    """Handles one stream entry: drop duplicates, apply the threshold, start the run."""

    svc: Services
    persona: Persona
    relevance: Relevance
    threshold: float
    start_run: StartRun

    async def handle(self, entry: Entry, report: PerceiveReport) -> Outcome:
        """Decide on one alert (idempotent by alert id)."""
        alert_id, tenant = entry[1].get("alert_id", ""), self.persona.tenant_id
        async with tenant_tx(self.svc.pool, tenant) as conn:
            trend = await alerts.new_alert(conn, alert_id)
        if trend is None or entry[1].get("agent_id") != self.persona.agent_id:
            return "duplicate"
        score = await self.relevance.relevance(trend, self.persona)
        if score < self.threshold:
            return "ignored" if await _claim(self.svc, tenant, alert_id, "ignored") else "duplicate"
        campaign = campaign_for(alert_id)
        try:
            await self.start_run(self.persona, trend, campaign)
        except RunInProgress:
            return "duplicate"
        if not await _claim(self.svc, tenant, alert_id, "started"):
            return "duplicate"
        report.runs[alert_id] = campaign
        return "started"


async def _publish_new(svc: Services, stream: AlertStream, persona: Persona) -> int:
    async with tenant_tx(svc.pool, persona.tenant_id) as conn:
        ids = await alerts.new_alert_ids(conn, persona.agent_id)
    for alert_id in ids:
        await stream.publish(alert_id, persona.agent_id)
    return len(ids)


async def drain(stream: AlertStream, decider: Decider, report: PerceiveReport) -> None:
    """Handle reclaimed and new entries; ack each once decided (a failure stays pending).

    A lost Redis or database (`LOST_SERVICE`) ends the drain with that error instead.
    """
    entries = [*await stream.reclaim(), *await stream.read()]
    for entry in entries:
        try:
            outcome = await decider.handle(entry, report)
        except Exception as exc:
            if isinstance(exc, LOST_SERVICE) or isinstance(exc.__cause__, LOST_SERVICE):
                # Its entry stays pending and its alert `new`: the next pass decides it.
                raise
            log.exception("perception: alert %s failed; left pending", entry[1].get("alert_id"))
            report.outcomes[entry[1].get("alert_id", entry[0])] = "failed"
            continue
        if outcome == "duplicate":
            report.duplicates += 1
        else:
            report.outcomes[entry[1]["alert_id"]] = outcome
        await stream.ack(entry[0])


@dataclass(frozen=True)
class PassOptions:
    """How one pass reads the world."""

    now: str | None = None
    window_hours: int = 4
    min_cluster_score: float = 0.75
    consumer: str = "perceiver-1"
    embeddings: EmbeddingsArg = False


async def perceive(
    svc: Services,
    agent_id: str,
    *,
    start_run: StartRun,
    expire_reviews: ExpireReviews,
    ctx: Context | None = None,
    options: PassOptions | None = None,
    relevance: Relevance | None = None,
    start_engagement: StartEngagement | None = None,
) -> PerceiveReport:
    """One perception pass for an agent; see the module docstring."""
    ctx, opts = ctx or Context(), options or PassOptions()
    persona = await asyncio.to_thread(load_persona, svc.settings.agents_dir, agent_id)
    envelope = await aexecute_trend_detection(
        svc,
        embeddings=opts.embeddings,
        tenant_id=persona.tenant_id,
        agent_id=agent_id,
        window_hours=opts.window_hours,
        resources=[*persona.news_resources, "twitter://mentions/recent", NETWORK_SIGNALS],
        min_cluster_score=opts.min_cluster_score,
        now=opts.now or utc_now(),
    )
    report = PerceiveReport(
        detected=[t["trend_id"] for t in envelope["trends"]], flagged=len(envelope["flagged"])
    )
    report.remembered = await remember_alerts(svc.host, envelope)
    # A perceiving process is the tenant's clock: each pass expires its due reviews.
    report.expired = await expire_reviews(persona.tenant_id)
    stream = AlertStream(svc.redis, persona.tenant_id, opts.consumer)
    await stream.ensure_group()
    report.published = await _publish_new(svc, stream, persona)
    model = relevance or await svc.strategies.relevance_for_run(ctx.model)
    decider = Decider(svc, persona, model, ctx.relevance_threshold, start_run)
    await drain(stream, decider, report)
    if start_engagement is not None:
        await engage(svc, persona, start_engagement, report)
    return report
