"""Fleet controls: pause and resume an agent, and each agent's spend today against its caps.

Pause and resume call `chimera.control.agent_state.set_paused` after `reviewers.authorize` with
the operator roles, exactly as `chimera agents pause|resume`, so the change is audited with the
operator. Caps and spend are the wallet server's own numbers, read through its
`agent://{id}/budget` resource (the resource the CFO checks before a payment).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from chimera.control import agent_state, reviewers
from chimera.mcp.errors import McpCallError
from chimera.mcp.host import CallIdentity
from chimera.platform.db import tenant_tx
from chimera.serving.console.web import Page

ASSET = "USDC"

__all__ = ["ASSET", "budgets", "set_paused"]


NEVER_PAID = {"max_daily": None, "max_monthly": None, "spent_today": "0.00", "spent_month": "0.00"}
"""An agent that never paid and has no default caps: no row in the wallet, nothing spent."""


def _usdc(rows: Any) -> dict[str, Any] | None:
    """The USDC row of an `agent://{id}/budget` payload (None: not a payload)."""
    if not isinstance(rows, list):
        return None
    found = (r for r in rows if isinstance(r, dict) and r.get("asset") == ASSET)
    return next(found, {"asset": ASSET, **NEVER_PAID})


async def _budget(page: Page, agent_id: str) -> dict[str, Any] | None:
    who = CallIdentity(page.tenant, agent_id, "console")
    try:
        rows = await page.svc.host.read_resource("wallet", f"agent://{agent_id}/budget", who=who)
    except McpCallError:
        return None
    return _usdc(rows)


async def budgets(page: Page, agent_ids: list[str]) -> dict[str, dict[str, Any] | None]:
    """Per agent: its USDC caps and spend today and this month (None: the wallet is unreachable).

    Values are the resource's decimal strings; `max_daily` / `max_monthly` are None without a cap.
    """
    found = await asyncio.gather(*(_budget(page, a) for a in agent_ids))
    return dict(zip(agent_ids, found, strict=True))


def meter_rows(
    found: dict[str, dict[str, Any] | None], spent: str, cap: str
) -> list[tuple[str, float, float | None]]:
    """`(agent, spent, cap)` rows for `charts.meters` from `budgets` (unreadable ones left out)."""
    return [
        (agent, float(Decimal(b[spent])), None if b[cap] is None else float(Decimal(b[cap])))
        for agent, b in found.items()
        if b is not None
    ]


async def set_paused(page: Page, agent_id: str, paused: bool) -> str:
    """Pause or resume `agent_id` as the signed-in operator; the sentence to show.

    Raises:
        AgentNotFound: not this tenant's agent (the app answers 404).

    """
    await page.form()
    try:
        async with tenant_tx(page.svc.pool, page.tenant) as conn:
            who = await reviewers.authorize(conn, page.principal.user, reviewers.OPERATOR_ROLES)
            row = await agent_state.set_paused(conn, page.tenant, agent_id, paused, str(who["id"]))
    except reviewers.NotAuthorized as exc:
        return f"Not changed: {exc}"
    return f"{row['agent_id']} is {row['status']}."


def back_to_fleet(page: Page, notice: str) -> Response:
    """The redirect after a pause or resume, with its notice."""
    return page.redirect(f"/console/fleet?notice={quote(notice)}")
