"""Payloads and read-backs shared by the MCP server tests (specs/technical.md §4, §2.5).

Every write is checked against what the sandbox platform really stored, read back under the
tenant's row-level security.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from chimera.mcp.host import CallIdentity
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from tests.conftest import ETHIOPIA, LAGOS

XYZ = "tenant-xyz"
ABC = "tenant-abc"
WHO_XYZ = CallIdentity(tenant_id=XYZ, agent_id=ETHIOPIA, run_id="run-mcp-tests")
WHO_ABC = CallIdentity(tenant_id=ABC, agent_id=LAGOS, run_id="run-mcp-tests")
UTC_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def new_key() -> str:
    """An idempotency key no other test uses."""
    return f"test-{uuid.uuid4().hex}"


def post_payload(
    key: str, text: str = "Summer drop is live in Addis #AIcreator", **over: Any
) -> dict[str, Any]:
    """A post_content payload shaped as specs/technical.md §2.5."""
    payload: dict[str, Any] = {
        "platform": "tiktok",
        "tenant_id": XYZ,
        "agent_id": ETHIOPIA,
        "idempotency_key": key,
        "content": {"text": text, "media_ids": [], "reply_to_id": None},
        "disclosure": {"ai_generated": True, "sponsor": None, "compliance_tags": ["eu_ai_act"]},
        "scheduling": {"mode": "immediate"},
        "tracking": {
            "campaign_id": "cmp-mcp-tests",
            "task_id": f"task-{key[-8:]}",
            "source": "chimera_orchestrator",
        },
    }
    payload.update(over)
    return payload


async def rows_for(svc: Services, tenant_id: str, post_id: str) -> list[dict[str, Any]]:
    """The sandbox platform's rows for a post id, as the tenant sees them."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        rows = await (
            await conn.execute(
                "SELECT post_id, tenant_id, agent_id, platform, text, reply_to_id, status,"
                " disclosure, tracking FROM social_posts WHERE post_id = %s",
                (post_id,),
            )
        ).fetchall()
    return [dict(r) for r in rows]


async def idempotency_rows(svc: Services, tenant_id: str, key: str) -> int:
    """How many idempotency records the server holds for a key."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        row = await (
            await conn.execute(
                "SELECT count(*) AS n FROM social_idempotency WHERE idempotency_key = %s", (key,)
            )
        ).fetchone()
    assert row is not None
    return int(row["n"])
