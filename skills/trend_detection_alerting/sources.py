"""Reading the skill's resources through the MCP host (constitution rule 1: MCP-only IO).

News items and mentions become normalised `Item`s; the window filter happens in `detect`. A
resource that cannot be read is skipped with a warning (the others proceed); when none can be
read, the host's typed error surfaces, never an empty result.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from chimera.mcp.errors import McpCallError
from chimera.mcp.host import CallIdentity, McpHost
from skills.trend_detection_alerting.request import NETWORK_SIGNALS, TrendRequest, server_of
from skills.trend_detection_alerting.text import Item, make_item

log = logging.getLogger(__name__)


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def items_of(uri: str, data: dict[str, Any]) -> list[Item]:
    """Items of one resource payload (news `items`, social `mentions` or network `signals`)."""
    if "items" in data:
        return [
            make_item(
                uri, f"{n['title']}. {n.get('summary', '')}", _moment(n["published"]), n["tags"]
            )
            for n in data["items"]
        ]
    if "signals" in data:
        # A shared signal carries only slugs: its words are its topic, its tags its tags and
        # regions; it is clustered and scored like any other item.
        return [
            make_item(
                uri,
                s["topic"].replace("-", " "),
                _moment(s["received_at"]),
                [*s["tags"], *s["regions"]],
            )
            for s in data["signals"]
        ]
    return [
        make_item(uri, str(m["text"]), _moment(m["created_at"])) for m in data.get("mentions", [])
    ]


async def read_items(host: McpHost, request: TrendRequest, run_id: str = "") -> list[Item]:
    """Read every requested resource (concurrently, each isolated) and return their items.

    A resource that fails is skipped with a warning while the others proceed; only when every
    resource failed is the first failure raised (the typed host error).

    Raises:
        McpCallError: no requested resource could be read.

    """
    who = CallIdentity(request.tenant_id, request.agent_id, run_id)
    uris = list(dict.fromkeys(request.resources))

    async def one(uri: str) -> list[Item]:
        data = await host.read_resource(server_of(uri), uri, who=who)
        for skipped in data.get("skipped", []):
            log.warning("%s: feed %s skipped (%s)", uri, skipped["source"], skipped["reason"])
        return items_of(uri, data)

    batches = await asyncio.gather(*(one(uri) for uri in uris), return_exceptions=True)
    failures = [(u, b) for u, b in zip(uris, batches, strict=True) if isinstance(b, BaseException)]
    for uri, exc in failures:
        if not isinstance(exc, McpCallError):
            raise exc
        log.warning("signal source skipped: %s (%s)", uri, exc)
    if failures and len(failures) == len(uris):
        raise failures[0][1]
    return [item for batch in batches if not isinstance(batch, BaseException) for item in batch]


def source_count(resources: list[str], answered: set[str]) -> int:
    """Sources a trend's diversity is measured against.

    The network inbox counts only when it held signals: an empty inbox confirms nothing, so it
    must not dilute the diversity of trends seen in the feeds.
    """
    return sum(1 for r in set(resources) if r != NETWORK_SIGNALS or r in answered)
