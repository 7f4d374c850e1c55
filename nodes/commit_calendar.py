"""The cadence step of commit: publish now only when the posting plan has a slot now.

Runs before `post_content` is called. A post over the agent's cadence (posts per day per
platform, minimum spacing, replies per hour), before its planned `publish_at`, or of a paused
agent is deferred to its next free slot in the calendar instead: never dropped, and published
once by the outbox (same idempotency key), which checks it again against the campaign's policy
of that moment with the persona and source text kept here. Slot decisions of one agent are
serialised by a transaction-scoped lock, so two commits cannot take the same slot.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chimera.control import agent_state, calendar, intents, repo
from chimera.platform.db import Conn, tenant_tx
from chimera.resources import Services
from chimera.strategies.schedule import next_post_slot, next_reply_slot
from state.contracts import PostContent
from state.records import Envelope, Published, TaskStatus
from state.types import parse_utc, to_utc_z

_LOOKBACK = timedelta(days=1)


def _wanted(env: Envelope, now: datetime) -> datetime:
    planned = env.task.params.get("publish_at", "")
    try:
        return max(now, parse_utc(planned)) if planned.endswith("Z") else now
    except ValueError:
        return now


def _slot(env: Envelope, payload: PostContent, taken: calendar.Taken, wanted: datetime) -> datetime:
    plan = env.persona.posting
    if payload.content.reply_to_id:
        return next_reply_slot(plan, wanted, taken.replies)
    return next_post_slot(plan, payload.platform, wanted, taken.posts.get(payload.platform, []))


async def _store(conn: Conn, env: Envelope, payload: PostContent, key: str, slot: datetime) -> str:
    """Schedule the post at `slot` with the publish gate's inputs; return its calendar id."""
    kind = "reply" if payload.content.reply_to_id else "post"
    gate = calendar.PublishGate(persona=env.persona, source_text=env.need_artifact().source_text)
    args = payload.model_dump(mode="json")
    task_id = env.task.task_id
    post_id = await calendar.schedule(
        conn, env.run, task_id, key, args, kind=kind, at=slot, gate=gate
    )
    await repo.set_task_status(conn, task_id, TaskStatus.DONE)
    return post_id


async def defer_to_slot(
    svc: Services,
    env: Envelope,
    payload: PostContent,
    key: str,
    *,
    now: datetime | None = None,
) -> Published | None:
    """Defer the post to its next free slot, or return None to publish it now.

    Args:
        svc: The app services (database pool).
        env: The envelope of the approved task (persona carries the posting plan).
        payload: The post_content arguments.
        key: The side effect's idempotency key.
        now: The clock (tests control it); defaults to the current time.

    Returns:
        The scheduled record when deferred (also on a replay of a deferred post), else None.

    """
    run, task = env.run, env.task
    now = now or datetime.now(UTC)
    async with tenant_tx(svc.pool, run.tenant_id) as conn:
        await calendar.lock_agent(conn, run.tenant_id, run.agent_id)
        row = await calendar.existing(conn, key)
        if row is None:
            if await intents.is_claimed(conn, key):
                return None
            wanted = _wanted(env, now)
            taken = await calendar.taken(conn, run.agent_id, wanted - _LOOKBACK, skip_key=key)
            slot = _slot(env, payload, taken, wanted)
            if slot <= now and not await agent_state.is_paused(conn, run.agent_id):
                return None
            row = {"id": await _store(conn, env, payload, key, slot), "publish_at": slot}
    return Published(
        task_id=task.task_id,
        kind="post_content",
        external_id=row["id"],
        platform=payload.platform,
        text=payload.content.text,
        publish_at=to_utc_z(row["publish_at"]),
    )
