"""Resource subscriptions of the MCP host: what it subscribed to, and whom an update wakes.

A subscription is (server, URI, caller): the `resources/subscribe` request carries the caller's
`_meta` like every call, so one persistent session holds subscriptions for many agents, and a
`notifications/resources/updated` naming a tenant and agent in its `_meta` wakes only that
caller's callback (one naming nobody wakes every subscriber of the URI). The registry outlives a
session: when the host restarts a server, the new session subscribes again before anyone uses it.

Callbacks run inside the session's receive loop, so they must not block: set an event, put on a
queue. A callback that raises is logged and never breaks the session.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import anyio
from mcp import ClientSession, McpError, types
from mcp.shared.session import RequestResponder
from pydantic import AnyUrl

log = logging.getLogger(__name__)

ResourceCallback = Callable[[], None]
"""Woken when a subscribed resource changed; must not block."""
Key = tuple[str, str, str]
"""(URI, tenant id, agent id) of one subscription on one server."""
IncomingMessage = (
    RequestResponder[types.ServerRequest, types.ClientResult] | types.ServerNotification | Exception
)
MessageHandler = Callable[[IncomingMessage], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """One caller's subscription to one resource."""

    uri: str
    meta: dict[str, Any]
    """The caller's `_meta` (tenant, agent, run), sent with (re)subscribe and unsubscribe."""
    callback: ResourceCallback

    @property
    def key(self) -> Key:
        """Where its updates are routed."""
        return self.uri, str(self.meta.get("tenant_id", "")), str(self.meta.get("agent_id", ""))


def subscribe_request(uri: str, meta: dict[str, Any]) -> types.ClientRequest:
    """`resources/subscribe` for `uri` as the caller `meta`."""
    params = types.SubscribeRequestParams(uri=AnyUrl(uri), _meta=types.RequestParams.Meta(**meta))
    return types.ClientRequest(types.SubscribeRequest(params=params))


def unsubscribe_request(uri: str, meta: dict[str, Any]) -> types.ClientRequest:
    """`resources/unsubscribe` for `uri` as the caller `meta`."""
    params = types.UnsubscribeRequestParams(uri=AnyUrl(uri), _meta=types.RequestParams.Meta(**meta))
    return types.ClientRequest(types.UnsubscribeRequest(params=params))


def _updated_key(message: IncomingMessage) -> Key | None:
    """The (URI, tenant, agent) a resource-updated notification names; None for anything else."""
    if not isinstance(message, types.ServerNotification):
        return None
    note = message.root
    if not isinstance(note, types.ResourceUpdatedNotification):
        return None
    meta = note.params.meta
    extra = dict(meta.model_extra or {}) if meta is not None else {}
    return str(note.params.uri), str(extra.get("tenant_id", "")), str(extra.get("agent_id", ""))


@dataclass
class Subscriptions:
    """The host's subscriptions, per server."""

    _by_server: dict[str, dict[Key, Subscription]] = field(default_factory=dict)

    def add(self, server: str, subscription: Subscription) -> None:
        """Remember a subscription (a second one of the same key replaces the first)."""
        self._by_server.setdefault(server, {})[subscription.key] = subscription

    def remove(self, server: str, key: Key) -> Subscription | None:
        """Forget a subscription; the one forgotten, if any."""
        return self._by_server.get(server, {}).pop(key, None)

    def of(self, server: str) -> list[Subscription]:
        """The subscriptions held on `server`."""
        return list(self._by_server.get(server, {}).values())

    def handler(self, server: str) -> MessageHandler:
        """The `ClientSession` message handler of `server`: routes its resource updates."""

        async def handle(message: IncomingMessage) -> None:
            self.route(server, message)

        return handle

    def route(self, server: str, message: IncomingMessage) -> int:
        """Wake the callbacks a message is for; return how many were woken."""
        key = _updated_key(message)
        if key is None:
            return 0
        uri, tenant, agent = key
        targets = [
            s for s in self.of(server) if s.key == key or (s.uri == uri and not (tenant or agent))
        ]
        for subscription in targets:
            try:
                subscription.callback()
            except Exception:
                log.exception("subscription callback for %s on %s failed", uri, server)
        return len(targets)

    async def resubscribe(self, server: str, session: ClientSession, timeout_s: float) -> None:
        """Subscribe a new session of `server` to everything held (best effort, logged)."""
        for subscription in self.of(server):
            try:
                await session.send_request(
                    subscribe_request(subscription.uri, subscription.meta),
                    types.EmptyResult,
                    request_read_timeout_seconds=timedelta(seconds=timeout_s),
                )
            except (McpError, OSError, anyio.ClosedResourceError, anyio.BrokenResourceError) as exc:
                log.warning("could not resubscribe to %s on %s: %s", subscription.uri, server, exc)
