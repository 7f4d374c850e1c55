"""Console: server time per page on seeded data (10 agents x 200 posts x 50 pending reviews).

A fresh embedded Postgres (its own data directory) is seeded for tenant-xyz, then each console
page is requested through the ASGI app in process (no network, no browser: server time only),
signed in with the tenant's development key. Reports the median and worst of `repeat` requests
per page; the target is < 300 ms each (issue 19).
"""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

from chimera.platform.db import tenant_tx
from chimera.platform.settings import Settings
from chimera.resources import Services, open_services
from chimera.serving.console.app import create_app

TENANT = "tenant-xyz"
KEY = "chimera-dev-reviewer-key-tenant-xyz"

_SEED = """
INSERT INTO tenants (tenant_id, name) VALUES (%(t)s, %(t)s) ON CONFLICT DO NOTHING;
INSERT INTO agents (id, tenant_id, name, persona_ref)
  SELECT 'bench-agent-' || a, %(t)s, 'Bench ' || a, 'agents/bench'
  FROM generate_series(1, %(agents)s) a;
INSERT INTO campaigns (id, tenant_id, agent_id, name, objective)
  SELECT 'bench-campaign-' || a, %(t)s, 'bench-agent-' || a, 'c' || a, 'Bench goal ' || a
  FROM generate_series(1, %(agents)s) a;
INSERT INTO threads (thread_id, tenant_id, agent_id, campaign_id, seq, status)
  SELECT 'bench-thread-' || a, %(t)s, 'bench-agent-' || a, 'bench-campaign-' || a, 1, 'paused'
  FROM generate_series(1, %(agents)s) a;
INSERT INTO posts (id, tenant_id, agent_id, campaign_id, task_id, platform, status, text,
                   published_at)
  SELECT 'bench-post-' || a || '-' || p, %(t)s, 'bench-agent-' || a, 'bench-campaign-' || a,
         'bench-task-' || a || '-' || p, 'tiktok', 'published', 'Post ' || p || ' #AIcreator',
         now() - make_interval(hours => p %% 300)
  FROM generate_series(1, %(agents)s) a, generate_series(1, %(posts)s) p;
INSERT INTO posts (id, tenant_id, agent_id, campaign_id, task_id, platform, status, text, kind,
                   publish_at)
  SELECT 'bench-cal-' || a || '-' || p, %(t)s, 'bench-agent-' || a, 'bench-campaign-' || a,
         'bench-caltask-' || a || '-' || p, 'instagram', 'scheduled', 'Later ' || p, 'post',
         now() + make_interval(hours => 3 * p)
  FROM generate_series(1, %(agents)s) a, generate_series(1, 20) p;
INSERT INTO media_assets (asset_id, tenant_id, agent_id, kind, tool, model, path, mime_type, bytes,
                          width, height, estimated_cost_usd, idempotency_key, payload_hash)
  SELECT 'bench-media-' || a || '-' || p, %(t)s, 'bench-agent-' || a, 'image', 'generate_image',
         'pillow', 'x.png', 'image/png', 1, 1, 1, 0.04, 'bench-media-' || a || '-' || p, 'h'
  FROM generate_series(1, %(agents)s) a, generate_series(1, %(posts)s) p;
INSERT INTO social_posts (post_id, tenant_id, agent_id, platform, text, media_ids, disclosure,
                          scheduling, tracking, status, published_at)
  SELECT 'bench-social-' || a || '-' || p, %(t)s, 'bench-agent-' || a, 'tiktok', 'Post ' || p,
         ARRAY['bench-media-' || a || '-' || p], '{}', '{}',
         jsonb_build_object('campaign_id', 'bench-campaign-' || a), 'published',
         now() - make_interval(hours => p %% 300)
  FROM generate_series(1, %(agents)s) a, generate_series(1, %(posts)s) p;
INSERT INTO social_engagement (tenant_id, post_id, agent_id, age_hours, views, likes, comments,
                               shares, engagement_rate)
  SELECT %(t)s, 'bench-social-' || a || '-' || p, 'bench-agent-' || a, age, 100 * p * age,
         10 * p, p, p, 0.1
  FROM generate_series(1, %(agents)s) a, generate_series(1, %(posts)s) p, unnest(ARRAY[1, 24]) age;
INSERT INTO llm_usage (tenant_id, agent_id, campaign_id, thread_id, task_id, role, model,
                       prompt_version, calls, input_tokens, output_tokens, cost_usd)
  SELECT %(t)s, 'bench-agent-' || a, 'bench-campaign-' || a, 'bench-thread-' || a,
         'bench-task-' || a || '-' || p, 'writer', 'm', 'v1', 1, 1000, 200, 0.002
  FROM generate_series(1, %(agents)s) a, generate_series(1, %(posts)s) p;
INSERT INTO tasks (task_id, tenant_id, campaign_id, thread_id, task_type, status, payload)
  SELECT 'bench-rtask-' || a || '-' || r, %(t)s, 'bench-campaign-' || a, 'bench-thread-' || a,
         'reply_comment', 'review',
         jsonb_build_object('params', jsonb_build_object('platform', 'tiktok', 'author', 'fan' || r,
                            'mention_text', 'Where can I buy the dress ' || r || '?'))
  FROM generate_series(1, %(agents)s) a, generate_series(1, %(reviews)s) r;
INSERT INTO artifacts (artifact_id, tenant_id, task_id, campaign_id, artifact_type, payload,
                       decision, confidence, risk_category, reasons)
  SELECT 'bench-art-' || a || '-' || r, %(t)s, 'bench-rtask-' || a || '-' || r,
         'bench-campaign-' || a, 'reply',
         jsonb_build_object('text', 'Thanks! Link in bio #AIcreator', 'platform', 'tiktok'),
         'review', 0.8, 'fashion_medium', '["Sensitive topic"]'::jsonb
  FROM generate_series(1, %(agents)s) a, generate_series(1, %(reviews)s) r;
INSERT INTO reviews (review_id, tenant_id, agent_id, campaign_id, thread_id, task_id,
                     artifact_id, item, expires_at)
  SELECT 'bench-rev-' || a || '-' || r, %(t)s, 'bench-agent-' || a, 'bench-campaign-' || a,
         'bench-thread-' || a, 'bench-rtask-' || a || '-' || r, 'bench-art-' || a || '-' || r,
         jsonb_build_object('content_preview', jsonb_build_object('type', 'reply',
           'text', 'Thanks! Link in bio #AIcreator'), 'confidence_score', 0.8,
           'risk_category', 'fashion_medium', 'reason_for_escalation',
           '["Sensitive topic (fashion) always needs a human."]'::jsonb),
         now() + interval '1 hour'
  FROM generate_series(1, %(agents)s) a, generate_series(1, %(reviews)s) r;
"""


async def _seed(svc: Services, agents: int, posts: int, reviews: int) -> None:
    sizes = {"t": TENANT, "agents": agents, "posts": posts, "reviews": reviews}
    async with tenant_tx(svc.pool, TENANT) as conn:
        for statement in filter(str.strip, _SEED.split(";\n")):
            await conn.execute(statement, sizes)  # type: ignore[arg-type]
    # A live database's autovacuum keeps planner statistics; freshly seeded tables have none.
    async with await psycopg.AsyncConnection.connect(svc.endpoints.pg_admin, autocommit=True) as c:
        await c.execute("ANALYZE")


async def _signed_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/console/signin")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, "sign-in form has no CSRF token"
    done = await client.post("/console/signin", data={"csrf": match[1], "api_key": KEY})
    assert done.status_code == 303, done.text[:300]


async def _time(client: httpx.AsyncClient, url: str, repeat: int) -> dict[str, Any]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = await client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


async def _run(agents: int, posts: int, reviews: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="chimera-bench-console-") as home:
        settings = Settings(home=Path(home))
        # With the MCP host: the fleet and spend pages read each agent's caps from the wallet.
        async with open_services(settings) as svc:
            await _seed(svc, agents, posts, reviews)

            async def services() -> Services:
                return svc

            transport = httpx.ASGITransport(app=create_app(services))
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                await _signed_in(client)
                pages = {
                    "reviews": "/console/reviews",
                    "reviews?agent": "/console/reviews?agent=bench-agent-1",
                    "fleet": "/console/fleet",
                    "campaigns": "/console/campaigns",
                    "campaign": "/console/campaigns/bench-campaign-1",
                    "calendar": "/console/calendar",
                    "calendar?agent": "/console/calendar?agent=bench-agent-1",
                    "spend": "/console/spend",
                    "spend?agent": "/console/spend?agent=bench-agent-1",
                }
                timings = {name: await _time(client, url, repeat) for name, url in pages.items()}
    return {
        "seed": {"agents": agents, "posts_per_agent": posts, "reviews_per_agent": reviews},
        "repeat": repeat,
        "target_ms": 300,
        "pages": timings,
    }


def main(agents: int = 10, posts: int = 200, reviews: int = 50, repeat: int = 5) -> dict[str, Any]:
    """Seed, time every page, print and return the results."""
    doc = asyncio.run(_run(agents, posts, reviews, repeat))
    for name, t in doc["pages"].items():
        print(f"{name:>14}: median {t['median_ms']:7.1f} ms, max {t['max_ms']:7.1f} ms")
    return doc
