"""The social MCP server through the real host over stdio.

See specs/technical.md §4.3 (social), §4.4 (idempotency) and §2.5 (post_content).

Every write is checked against what the sandbox platform really stored, read back under the
tenant's row-level security; every refusal is checked to be the typed error the host promises.
"""

from __future__ import annotations

import asyncio

import pytest

from chimera.mcp.errors import InvalidToolArguments, ToolConflict, ToolNotFound
from chimera.mcp.host import CallIdentity
from chimera.platform.settings import REPO_ROOT
from chimera.resources import Services
from tests.conftest import ETHIOPIA, LAGOS
from tests.support.mcp import (
    ABC,
    UTC_Z,
    WHO_ABC,
    WHO_XYZ,
    XYZ,
    idempotency_rows,
    new_key,
    post_payload,
    rows_for,
)

# --- post_content


async def test_post_content_publishes_and_returns_post_id_status_and_url(svc: Services) -> None:
    """specs/technical.md §2.5"""
    key = new_key()
    result = await svc.host.call_tool("social", "post_content", post_payload(key), who=WHO_XYZ)
    assert result["post_id"].startswith("post-")
    assert result["status"] == "published"
    assert result["platform"] == "tiktok"
    assert result["url"].endswith(result["post_id"])
    assert UTC_Z.match(result["published_at"])
    assert result["duplicate"] is False
    rows = await rows_for(svc, XYZ, result["post_id"])
    assert len(rows) == 1
    assert rows[0]["text"] == "Summer drop is live in Addis #AIcreator"
    assert rows[0]["disclosure"]["ai_generated"] is True
    assert rows[0]["tracking"]["campaign_id"] == "cmp-mcp-tests"


async def test_repeating_a_key_with_the_same_payload_returns_the_first_post_and_stores_one_row(
    svc: Services,
) -> None:
    """specs/technical.md §4.4"""
    key = new_key()
    first = await svc.host.call_tool("social", "post_content", post_payload(key), who=WHO_XYZ)
    again = await svc.host.call_tool("social", "post_content", post_payload(key), who=WHO_XYZ)
    assert again["post_id"] == first["post_id"]
    assert again["duplicate"] is True
    assert first["duplicate"] is False
    assert len(await rows_for(svc, XYZ, first["post_id"])) == 1


async def test_repeating_a_key_with_a_different_text_is_a_conflict(svc: Services) -> None:
    """specs/technical.md §4.4"""
    key = new_key()
    first = await svc.host.call_tool("social", "post_content", post_payload(key), who=WHO_XYZ)
    with pytest.raises(ToolConflict):
        await svc.host.call_tool(
            "social", "post_content", post_payload(key, text="A different caption"), who=WHO_XYZ
        )
    rows = await rows_for(svc, XYZ, first["post_id"])
    assert [r["text"] for r in rows] == ["Summer drop is live in Addis #AIcreator"]


async def test_a_payload_naming_another_tenant_than_the_caller_is_refused(svc: Services) -> None:
    """specs/technical.md §4.1"""
    key = new_key()
    with pytest.raises(InvalidToolArguments, match="tenant"):
        await svc.host.call_tool(
            "social", "post_content", post_payload(key, tenant_id=ABC), who=WHO_XYZ
        )
    assert await idempotency_rows(svc, ABC, key) == 0
    assert await idempotency_rows(svc, XYZ, key) == 0


async def test_text_over_the_twitter_limit_is_refused(svc: Services) -> None:
    """specs/technical.md §5.4"""
    key = new_key()
    with pytest.raises(InvalidToolArguments, match="280"):
        await svc.host.call_tool(
            "social",
            "post_content",
            post_payload(key, text="x" * 281, platform="twitter"),
            who=WHO_XYZ,
        )
    assert await idempotency_rows(svc, XYZ, key) == 0


async def test_content_without_ai_disclosure_is_refused(svc: Services) -> None:
    """specs/technical.md §2.5"""
    key = new_key()
    payload = post_payload(key, disclosure={"ai_generated": False})
    with pytest.raises(InvalidToolArguments, match="ai_generated"):
        await svc.host.call_tool("social", "post_content", payload, who=WHO_XYZ)
    assert await idempotency_rows(svc, XYZ, key) == 0


async def test_scheduled_content_without_publish_at_is_refused(svc: Services) -> None:
    """specs/technical.md §2.5"""
    key = new_key()
    payload = post_payload(key, scheduling={"mode": "scheduled"})
    with pytest.raises(InvalidToolArguments, match="publish_at"):
        await svc.host.call_tool("social", "post_content", payload, who=WHO_XYZ)
    assert await idempotency_rows(svc, XYZ, key) == 0


async def test_scheduled_content_with_publish_at_is_stored_as_scheduled(svc: Services) -> None:
    """specs/technical.md §2.5"""
    key = new_key()
    payload = post_payload(
        key, scheduling={"mode": "scheduled", "publish_at": "2026-12-01T09:00:00Z"}
    )
    result = await svc.host.call_tool("social", "post_content", payload, who=WHO_XYZ)
    assert result["status"] == "scheduled"
    assert result["publish_at"] == "2026-12-01T09:00:00Z"
    assert [r["status"] for r in await rows_for(svc, XYZ, result["post_id"])] == ["scheduled"]


async def test_twenty_concurrent_calls_with_one_key_publish_exactly_once(svc: Services) -> None:
    """specs/technical.md §4.4"""
    key = new_key()
    results = await asyncio.gather(
        *(
            svc.host.call_tool("social", "post_content", post_payload(key), who=WHO_XYZ)
            for _ in range(20)
        )
    )
    assert len({r["post_id"] for r in results}) == 1
    assert sum(not r["duplicate"] for r in results) == 1
    assert len(await rows_for(svc, XYZ, results[0]["post_id"])) == 1
    assert await idempotency_rows(svc, XYZ, key) == 1


# --- post_tweet / reply_to_tweet


async def test_post_tweet_publishes_once_per_idempotency_key(svc: Services) -> None:
    """specs/technical.md §4.3, §4.4"""
    key = new_key()
    args = {
        "tenant_id": ABC,
        "agent_id": LAGOS,
        "text": "Budget 5G phones, tested. #AIcreator",
        "idempotency_key": key,
    }
    first = await svc.host.call_tool("social", "post_tweet", args, who=WHO_ABC)
    again = await svc.host.call_tool("social", "post_tweet", args, who=WHO_ABC)
    assert again["post_id"] == first["post_id"] and again["duplicate"] is True
    rows = await rows_for(svc, ABC, first["post_id"])
    assert len(rows) == 1
    assert rows[0]["platform"] == "twitter" and rows[0]["reply_to_id"] is None
    with pytest.raises(ToolConflict):
        await svc.host.call_tool("social", "post_tweet", {**args, "text": "Other"}, who=WHO_ABC)


async def test_reply_to_tweet_replies_once_per_idempotency_key(svc: Services) -> None:
    """specs/technical.md §4.3, §4.4"""
    key = new_key()
    args = {
        "tenant_id": ABC,
        "agent_id": LAGOS,
        "tweet_id": "mention-ng-001",
        "text": "The one with the best band support, full review soon.",
        "idempotency_key": key,
    }
    first = await svc.host.call_tool("social", "reply_to_tweet", args, who=WHO_ABC)
    again = await svc.host.call_tool("social", "reply_to_tweet", args, who=WHO_ABC)
    assert again["post_id"] == first["post_id"] and again["duplicate"] is True
    rows = await rows_for(svc, ABC, first["post_id"])
    assert len(rows) == 1 and rows[0]["reply_to_id"] == "mention-ng-001"
    with pytest.raises(ToolConflict):
        await svc.host.call_tool(
            "social", "reply_to_tweet", {**args, "tweet_id": "mention-ng-002"}, who=WHO_ABC
        )


async def test_a_tweet_over_280_characters_is_refused(svc: Services) -> None:
    """specs/technical.md §4.3, §5.4"""
    key = new_key()
    args = {"tenant_id": ABC, "agent_id": LAGOS, "text": "y" * 281, "idempotency_key": key}
    with pytest.raises(InvalidToolArguments):
        await svc.host.call_tool("social", "post_tweet", args, who=WHO_ABC)
    assert await idempotency_rows(svc, ABC, key) == 0


# --- resources


async def test_mentions_are_the_callers_bundled_mentions_newest_first(svc: Services) -> None:
    """specs/technical.md §4.3"""
    import json

    data = await svc.host.read_resource("social", "twitter://mentions/recent", who=WHO_XYZ)
    bundled = json.loads(
        (REPO_ROOT / "servers" / "social" / "mentions" / f"{ETHIOPIA}.json").read_text()
    )
    mentions = data["mentions"]
    assert data["agent_id"] == ETHIOPIA
    assert {m["mention_id"] for m in mentions} == {m["mention_id"] for m in bundled}
    stamps = [m["created_at"] for m in mentions]
    assert stamps == sorted(stamps, reverse=True)
    assert all(UTC_Z.match(s) for s in stamps)


async def test_another_tenants_agent_mentions_are_not_found(svc: Services) -> None:
    """specs/technical.md §4.3, specs/_meta.md §2.6"""
    intruder = CallIdentity(tenant_id=ABC, agent_id=ETHIOPIA, run_id="run-mcp-tests")
    with pytest.raises(ToolNotFound):
        await svc.host.read_resource("social", "twitter://mentions/recent", who=intruder)
