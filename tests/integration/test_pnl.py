"""P&L and ROI per agent and per campaign: the totals are the ledger rows, summed independently.

See specs/economics.md §3. Payments and income go through the real wallet server on the devnet;
media assets, posts and engagement snapshots are rows as the media and social servers store them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from psycopg.types.json import Jsonb

from chimera.control.pnl import PnlQuery, by_campaign, pnl
from chimera.mcp.host import CallIdentity, McpHost
from chimera.mcp.wallet import open_wallet_host
from chimera.platform.db import tenant_tx
from chimera.platform.settings import REPO_ROOT, Settings
from chimera.resources import Services
from tests.conftest import subprocess_env
from tests.support.economics import fresh_agent
from tests.support.mcp import XYZ
from tests.support.wallet import campaign, funded_wallet, send_args


@pytest.fixture(scope="module")
async def ops(svc: Services) -> AsyncIterator[McpHost]:
    """An operator host on the wallet server."""
    host = await open_wallet_host(svc.settings, svc.endpoints)
    yield host
    await host.aclose()


async def _post(svc: Services, who: CallIdentity, cmp: str, cost: str, views: int) -> None:
    """A published post of `cmp` with one media asset costing `cost` and two snapshots."""
    asset, post = f"media-{uuid.uuid4().hex[:10]}", f"post-{uuid.uuid4().hex[:10]}"
    async with tenant_tx(svc.pool, XYZ) as conn:
        await conn.execute(
            "INSERT INTO media_assets (asset_id, tenant_id, agent_id, kind, tool, model, path,"
            " mime_type, bytes, width, height, estimated_cost_usd, idempotency_key,"
            " payload_hash) VALUES (%s, %s, %s, 'image', 'generate_image', 'pillow', 'x.png',"
            " 'image/png', 1, 1, 1, %s, %s, 'h')",
            (asset, XYZ, who.agent_id, Decimal(cost), f"media:{asset}"),
        )
        await conn.execute(
            "INSERT INTO social_posts (post_id, tenant_id, agent_id, platform, text, media_ids,"
            " disclosure, scheduling, tracking, status, published_at) VALUES (%s, %s, %s, 'x',"
            " 't', %s, '{}', '{}', %s, 'published', now())",
            (post, XYZ, who.agent_id, [asset], Jsonb({"campaign_id": cmp})),
        )
        for age, seen in ((1, views // 2), (24, views)):  # only the newest snapshot counts
            await conn.execute(
                "INSERT INTO social_engagement (tenant_id, post_id, agent_id, age_hours, views,"
                " likes, comments, shares, engagement_rate) VALUES (%s, %s, %s, %s, %s, %s,"
                " %s, %s, 0.1)",
                (XYZ, post, who.agent_id, age, seen, seen // 10, seen // 100, seen // 100),
            )


async def _ledger_sums(svc: Services, agent_id: str, cmp: str | None) -> dict[str, Decimal]:
    """Income and settled payments summed straight from the wallet server's rows."""
    scope = " AND campaign_id = %(c)s" if cmp else ""
    args = {"a": agent_id, "c": cmp}
    async with tenant_tx(svc.pool, XYZ) as conn:
        paid = await (
            await conn.execute(
                "SELECT coalesce(sum(amount), 0) AS s FROM wallet_transactions"
                " WHERE agent_id = %(a)s AND status = 'settled'" + scope,
                args,
            )
        ).fetchone()
        got = await (
            await conn.execute(
                "SELECT coalesce(sum(amount), 0) AS s FROM wallet_income WHERE agent_id = %(a)s"
                + scope,
                args,
            )
        ).fetchone()
    assert paid is not None and got is not None
    return {"payments": paid["s"], "income": got["s"]}


async def _economy(svc: Services, ops: McpHost) -> tuple[CallIdentity, str, str]:
    """A fresh agent with payments in two campaigns, a tip, a paid invoice, posts and views."""
    who = await fresh_agent(svc, XYZ)
    wallet = await funded_wallet(ops, who)
    a, b = campaign(), campaign()
    for cmp, amount in ((a, "25.00"), (a, "10.00"), (b, "5.00"), (b, "60.00")):  # 60 > max_per_tx
        args = send_args(who, wallet["wallet_id"], cmp, amount=amount)
        await ops.call_tool("wallet", "send_transaction", args, who=who)
    ids = {"tenant_id": XYZ, "agent_id": who.agent_id}
    bill = await ops.call_tool(
        "wallet",
        "create_invoice",
        {**ids, "sponsor": "Brand", "amount": "120", "campaign_id": a},
        who=who,
    )
    await ops.call_tool("wallet", "devnet_pay", {**ids, "invoice_id": bill["invoice_id"]}, who=who)
    await ops.call_tool("wallet", "devnet_pay", {**ids, "amount": "7.50"}, who=who)
    await ops.call_tool("wallet", "scan_income", {"tenant_id": XYZ, "confirmations": 0}, who=who)
    await _post(svc, who, a, "0.04", 3000)
    await _post(svc, who, b, "0.50", 1000)
    return who, a, b


async def _report(svc: Services, query: PnlQuery) -> dict[str, Any]:
    async with tenant_tx(svc.pool, XYZ) as conn:
        return await pnl(conn, query)


async def test_pnl_totals_equal_the_ledger_rows_per_agent_and_per_campaign(
    svc: Services, ops: McpHost
) -> None:
    """specs/economics.md §3.1, §3.2"""
    who, a, _ = await _economy(svc, ops)
    agent = await _report(svc, PnlQuery(XYZ, who.agent_id))
    sums = await _ledger_sums(svc, who.agent_id, None)
    assert sums == {"payments": Decimal("40"), "income": Decimal("127.5")}
    assert agent["income"] == {
        "total": "127.50",
        "tip": "7.50",
        "sponsorship": "120.00",
        "refund": "0.00",
    }
    assert agent["costs"] == {"total": "40.54", "payments": "40.00", "media": "0.54", "llm": "0.00"}
    assert agent["net"] == "86.96" and agent["counts"]["payments"] == 3
    assert agent["engagement"] == {
        "views": 4000,
        "likes": 400,
        "comments": 40,
        "shares": 40,
        "engagements": 480,
    }
    assert agent["roi"]["cost_per_thousand_views"] == "10.135"  # 40.54 / 4
    one = await _report(svc, PnlQuery(XYZ, who.agent_id, a))
    assert (
        Decimal(one["costs"]["payments"]) == (await _ledger_sums(svc, who.agent_id, a))["payments"]
    )
    assert one["income"]["total"] == "120.00" and one["costs"]["media"] == "0.04"
    assert (
        one["engagement"]["views"] == 3000 and one["roi"]["cost_per_engagement"] == "0.0973"
    )  # 35.04 / 360


async def test_the_per_campaign_reports_add_up_to_the_agents_payments_and_sponsorship(
    svc: Services, ops: McpHost
) -> None:
    """specs/economics.md §3.2, §3.3"""
    who, a, b = await _economy(svc, ops)
    async with tenant_tx(svc.pool, XYZ) as conn:
        parts = await by_campaign(conn, PnlQuery(XYZ, who.agent_id))
    assert sorted(p["campaign_id"] for p in parts) == sorted([a, b])
    assert sum(Decimal(p["costs"]["payments"]) for p in parts) == Decimal("40")
    # the tip belongs to no campaign; the sponsorship to campaign a
    assert sum(Decimal(p["income"]["total"]) for p in parts) == Decimal("120")


async def test_a_period_without_activity_reports_zero_and_no_ratios(
    svc: Services, ops: McpHost
) -> None:
    """specs/economics.md §3.1, §3.3"""
    who, _, _ = await _economy(svc, ops)
    later = datetime.now(UTC) + timedelta(days=1)
    empty = await _report(svc, PnlQuery(XYZ, who.agent_id, start=later))
    assert empty["net"] == "0.00" and empty["costs"]["total"] == "0.00"
    assert empty["roi"] == {
        "cost_per_thousand_views": None,
        "cost_per_engagement": None,
        "return_on_cost": None,
    }


@pytest.mark.slow
def test_cli_pnl_prints_json_and_refuses_a_bad_period(settings: Settings) -> None:
    """specs/economics.md §3.3, §3.5"""
    base = [sys.executable, "-m", "chimera", "pnl", "--tenant", XYZ]
    env = subprocess_env(settings)
    ok = subprocess.run(
        [*base, "--agent", "agent-none", "--by", "task", "--by", "campaign", "--json"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr.decode()
    report = json.loads(ok.stdout)
    assert report["net"] == "0.00" and report["costs"]["llm"] == "0.00"
    assert report["tasks"] == [] and report["campaigns"] == [] and report["warnings"] == []
    bad = subprocess.run(
        [*base, "--from", "2026-02-01", "--to", "2026-01-01"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert bad.returncode == 2 and b"--from must be before --to" in bad.stderr
