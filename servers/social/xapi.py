"""The X API v2 on the wire: requests, rate-limit headers and error mapping, nothing else.

Every response's `x-rate-limit-*` headers are handed to an observer (the Redis buckets), and
every failure becomes a typed server error: 401 -> unauthorized, 429 -> rate_limited with the
reset time, duplicate-content 403 -> duplicate, invalid media -> invalid_media, 5xx and network
errors -> transient.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from servers.social.errors import (
    DuplicateContent,
    InvalidArgument,
    InvalidMedia,
    RateLimited,
    Transient,
    Unauthorized,
)

DUPLICATE_DETAIL = "duplicate content"
MENTION_FIELDS = {
    "tweet.fields": "created_at,author_id,conversation_id,referenced_tweets",
    "expansions": "author_id",
    "user.fields": "username",
}


@dataclass(frozen=True)
class RateWindow:
    """One endpoint's window as the `x-rate-limit-*` headers describe it."""

    limit: int | None
    remaining: int | None
    reset: datetime | None

    @classmethod
    def of(cls, headers: httpx.Headers) -> RateWindow:
        """Parse the headers (absent or malformed values become None)."""

        def num(name: str) -> int | None:
            raw = headers.get(name, "")
            return int(raw) if raw.strip().isdigit() else None

        reset = num("x-rate-limit-reset")
        return cls(
            num("x-rate-limit-limit"),
            num("x-rate-limit-remaining"),
            datetime.fromtimestamp(reset, UTC) if reset is not None else None,
        )


Observer = Callable[[str, RateWindow], Awaitable[None]]


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    parts = [str(body.get("detail") or body.get("title") or "")]
    parts += [str(e.get("message", "")) for e in body.get("errors", []) if isinstance(e, dict)]
    return "; ".join(p for p in parts if p)[:500]


def raise_for(endpoint: str, response: httpx.Response, window: RateWindow) -> None:
    """Map an X error response to the typed server error it means."""
    status, detail = response.status_code, _detail(response)
    if status < 400:
        return
    if status == 429:
        retry_at = window.reset or datetime.now(UTC) + timedelta(seconds=60)
        raise RateLimited(f"X {endpoint}: {detail or 'too many requests'}", retry_at)
    if status == 401:
        raise Unauthorized(f"X {endpoint}: {detail or 'unauthorized'}")
    if status == 403 and DUPLICATE_DETAIL in detail.lower():
        raise DuplicateContent(f"X {endpoint}: {detail}")
    if status == 403:
        raise Unauthorized(f"X {endpoint}: {detail or 'forbidden'}")
    if status >= 500:
        raise Transient(f"X {endpoint}: HTTP {status} {detail}")
    if "media" in detail.lower():
        raise InvalidMedia(f"X {endpoint}: {detail}")
    raise InvalidArgument(f"X {endpoint}: HTTP {status} {detail}")


class XApi:
    """A thin async client of the endpoints the social server uses."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        observe: Observer | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        """Wrap a configured client (base URL, timeout); `observe` gets every window.

        `auth` signs each request as one account (one pooled client serves every tenant).
        """
        self.client = client
        self.observe = observe
        self.auth = auth

    async def call(self, endpoint: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One request; the parsed JSON body of a success, else a typed error."""
        try:
            if self.auth is not None:
                kwargs["auth"] = self.auth
            response = await self.client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise Transient(f"X {endpoint}: {exc!r}") from exc
        window = RateWindow.of(response.headers)
        if self.observe is not None and (window.remaining is not None or window.reset):
            await self.observe(endpoint, window)
        raise_for(endpoint, response, window)
        try:
            body: dict[str, Any] = response.json()
        except ValueError as exc:
            raise Transient(f"X {endpoint}: unreadable body") from exc
        return body

    async def create_post(
        self, text: str, reply_to: str | None = None, media_ids: list[str] | None = None
    ) -> dict[str, Any]:
        """POST /2/tweets: `{"data": {"id", "text", ...}}`."""
        body: dict[str, Any] = {"text": text}
        if reply_to:
            body["reply"] = {"in_reply_to_tweet_id": reply_to}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        return (await self.call("tweets:create", "POST", "/2/tweets", json=body))["data"]

    async def me(self) -> dict[str, Any]:
        """GET /2/users/me: the authenticated account."""
        return (await self.call("users:me", "GET", "/2/users/me"))["data"]

    async def user(self, user_id: str) -> dict[str, Any]:
        """GET /2/users/:id with public metrics and description."""
        params = {"user.fields": "created_at,description,public_metrics,verified"}
        body = await self.call("users:lookup", "GET", f"/2/users/{user_id}", params=params)
        if "data" not in body:
            raise InvalidArgument(f"X users:lookup: {_errors_text(body)}")
        return body["data"]

    async def mentions_page(
        self, user_id: str, since_id: str | None, token: str | None
    ) -> dict[str, Any]:
        """GET /2/users/:id/mentions, one page (`meta.next_token` continues)."""
        params = {"max_results": "100", **MENTION_FIELDS}
        if since_id:
            params["since_id"] = since_id
        if token:
            params["pagination_token"] = token
        return await self.call(
            "users:mentions", "GET", f"/2/users/{user_id}/mentions", params=params
        )

    async def recent_posts(self, user_id: str) -> list[dict[str, Any]]:
        """GET /2/users/:id/tweets: the account's latest posts (duplicate recovery)."""
        params = {"max_results": "100", "tweet.fields": "created_at,referenced_tweets"}
        body = await self.call("users:tweets", "GET", f"/2/users/{user_id}/tweets", params=params)
        return list(body.get("data", []))

    async def upload_image(self, data: bytes, media_type: str) -> str:
        """POST /2/media/upload (one request for images); the media id to attach."""
        body = {
            "media": base64.b64encode(data).decode(),
            "media_category": "tweet_image",
            "media_type": media_type,
        }
        answer = await self.call("media:upload", "POST", "/2/media/upload", json=body)
        return str(answer["data"]["id"])


def _errors_text(body: dict[str, Any]) -> str:
    return "; ".join(str(e.get("detail", e)) for e in body.get("errors", []))[:300] or "no data"
