"""A campaign's media budget: generation spend reserved before rendering, settled after.

The cap is the campaign policy's `media_budget_usd`. A reservation is ONE conditional UPDATE of
the campaign's `campaign_media_budgets` row (`committed + cost <= max` in its WHERE clause), so
concurrent workers of one campaign can never commit more than the cap; the options are tried
from the richest down and the first that fits is held. One hold per generation seed: a
re-executed worker gets its earlier hold back and reserves nothing new. Settling replaces the
estimate with the actual cost of the rendered assets.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chimera.platform.db import Conn

_RESERVE = """
UPDATE campaign_media_budgets SET committed_usd = committed_usd + %(cost)s, updated_at = now()
WHERE campaign_id = %(campaign)s AND committed_usd + %(cost)s <= max_usd
RETURNING committed_usd
"""


@dataclass(frozen=True)
class MediaHold:
    """The option held for one generation, and what the budget had left before it."""

    plan: str
    estimated_usd: Decimal
    remaining_usd: Decimal
    reused: bool


async def reserve(
    conn: Conn, campaign_id: str, seed: str, cap: Decimal, options: list[tuple[str, Decimal]]
) -> MediaHold | None:
    """Hold the first of `options` (name, estimated cost; richest first) that fits the cap.

    Returns:
        The hold (an earlier one for the same seed is returned as is), or None when no option
        fits (nothing is held).

    """
    earlier = await (
        await conn.execute("SELECT plan, estimated_usd FROM media_holds WHERE seed = %s", (seed,))
    ).fetchone()
    if earlier is not None:
        return MediaHold(earlier["plan"], earlier["estimated_usd"], Decimal(0), reused=True)
    await conn.execute(
        "INSERT INTO campaign_media_budgets (tenant_id, campaign_id, max_usd)"
        " VALUES (current_setting('app.tenant_id'), %s, %s)"
        " ON CONFLICT (tenant_id, campaign_id) DO UPDATE SET max_usd = EXCLUDED.max_usd",
        (campaign_id, cap),
    )
    for name, cost in options:
        held = await (
            await conn.execute(_RESERVE, {"cost": cost, "campaign": campaign_id})
        ).fetchone()
        if held is not None:
            await conn.execute(
                "INSERT INTO media_holds (tenant_id, campaign_id, seed, plan, estimated_usd)"
                " VALUES (current_setting('app.tenant_id'), %s, %s, %s, %s)",
                (campaign_id, seed, name, cost),
            )
            return MediaHold(name, cost, cap - held["committed_usd"] + cost, reused=False)
    return None


async def remaining(conn: Conn, campaign_id: str) -> Decimal | None:
    """What the campaign's media budget has left (None: no budget row)."""
    row = await (
        await conn.execute(
            "SELECT max_usd - committed_usd AS left FROM campaign_media_budgets"
            " WHERE campaign_id = %s",
            (campaign_id,),
        )
    ).fetchone()
    return None if row is None else Decimal(row["left"])


async def settle(conn: Conn, seed: str, actual: Decimal) -> None:
    """Replace a hold's estimate by the actual cost (once; later calls change nothing)."""
    hold = await (
        await conn.execute(
            "UPDATE media_holds SET status = 'settled', actual_usd = %s"
            " WHERE seed = %s AND status = 'held' RETURNING campaign_id, estimated_usd",
            (actual, seed),
        )
    ).fetchone()
    if hold is None:
        return
    await conn.execute(
        "UPDATE campaign_media_budgets SET committed_usd = GREATEST(0, committed_usd + %s - %s),"
        " updated_at = now() WHERE campaign_id = %s",
        (actual, hold["estimated_usd"], hold["campaign_id"]),
    )
