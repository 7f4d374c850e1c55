"""The X backend: publish, read mentions and profiles through the X API v2, exactly once.

Publishing claims the idempotency key first (`xstore`), takes a token from the account's
bucket and a slot of the monthly cap (`ratelimit`), then posts. A spent window or cap never fails
the caller: the post is queued in the outbox until the reset and returned as `scheduled` with a
`deferred` note; the server's outbox task publishes it then. X's duplicate-content refusal on a
retry of the same key recovers the first post from the account's timeline.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from chimera.platform.db import Pool, tenant_tx
from chimera.platform.settings import Settings
from servers.runtime import ServerError, Transient, payload_hash
from servers.social import xmentions, xstore
from servers.social.errors import (
    DuplicateContent,
    InvalidArgument,
    InvalidMedia,
    RateLimited,
    iso_z,
)
from servers.social.ratelimit import Limiter
from servers.social.sandbox import post_id_for
from servers.social.xaccounts import XAccounts
from servers.social.xapi import XApi

X_LIMIT = 280
IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}


@dataclass(frozen=True)
class Account:
    """The X account a call acts as, and the auth that signs its requests."""

    id: str
    username: str
    auth: httpx.Auth | None = field(default=None, repr=False, compare=False)


def read_image(home: Path, media: str) -> tuple[bytes, str]:
    """Blocking: the bytes and type of an image file under `home` (absolute or relative).

    Raises:
        InvalidMedia: outside `home`, not an image type X takes, or unreadable.

    """
    root = home.resolve()
    path = (root / media).resolve()
    kind = mimetypes.guess_type(path.name)[0] or ""
    if not path.is_relative_to(root) or kind not in IMAGE_TYPES:
        raise InvalidMedia(f"{media!r} is neither an X media id nor an image under the home")
    try:
        return path.read_bytes(), kind
    except OSError as exc:
        raise InvalidMedia(f"cannot read {media!r}: {exc.strerror}") from exc


class XBackend:
    """The X API v2 behind the social server's tools."""

    name = "x"

    def __init__(
        self,
        settings: Settings,
        pool: Pool,
        redis: Any,
        client: httpx.AsyncClient,
        accounts: XAccounts,
    ) -> None:
        """Call X through `client` as each tenant's account; keep state in `pool` and `redis`."""
        self.settings, self.pool, self.redis, self.client = settings, pool, redis, client
        self.accounts = accounts
        self.cap = settings.x_monthly_post_caps.get(settings.x_tier, 0)
        self.deferred = asyncio.Event()
        """Set whenever a post is deferred (wakes the outbox task)."""

    async def schedule(self, tenant_id: str, key: str, due: datetime) -> None:
        """Put a deferred post on the tenant's outbox schedule (`chimera:<tenant>:x:outbox`)."""
        await self.redis.zadd(f"chimera:{tenant_id}:x:outbox", {key: due.timestamp()})
        self.deferred.set()

    async def account(self, tenant_id: str, agent_id: str | None = None) -> Account:
        """The tenant's (or agent's) account (`GET /2/users/me`), cached in Redis for an hour.

        Raises:
            Unauthorized: no X account is configured for the tenant.

        """
        cred = self.accounts.resolve(tenant_id, agent_id)
        key = f"chimera:{tenant_id}:x:me:{cred.ref}"
        cached = await self.redis.get(key)
        if cached:
            return Account(**json.loads(cached), auth=cred.auth)
        me = await XApi(self.client, auth=cred.auth).me()
        account = Account(id=str(me["id"]), username=str(me["username"]), auth=cred.auth)
        await self.redis.set(
            key, json.dumps({"id": account.id, "username": account.username}), ex=3600
        )
        return account

    def limiter(self, tenant_id: str, account: Account) -> Limiter:
        """The account's buckets for this tenant."""
        return Limiter(self.redis, tenant_id, account.id)

    def api(self, limiter: Limiter, account: Account) -> XApi:
        """The X API as `account`, feeding every response's rate-limit headers to `limiter`."""
        return XApi(self.client, limiter.observe, account.auth)

    async def publish(
        self, tenant_id: str, key: str, tool: str, post: dict[str, Any]
    ) -> dict[str, Any]:
        """Publish `post` on X once per `(tenant_id, key)`; a repeat returns the first result."""
        if len(post["text"]) > X_LIMIT:
            raise InvalidArgument(f"text is {len(post['text'])} chars; X allows {X_LIMIT}")
        if len(post.get("media_ids", [])) > 4:
            raise InvalidMedia("X allows at most 4 images per post")
        self.accounts.resolve(tenant_id, post.get("agent_id"))  # refuse before claiming the key
        digest = payload_hash({"tool": tool, **post})
        async with xstore.key_lock(self.pool, tenant_id, key):
            claim = await xstore.claim(self.pool, tenant_id, key, tool, digest)
            if claim.state == "done":
                return {**claim.result, "duplicate": True}
            scheduling = post["scheduling"]
            if scheduling["mode"] == "scheduled" and claim.state == "new":
                due = datetime.fromisoformat(scheduling["publish_at"].replace("Z", "+00:00"))
                return await self._defer(tenant_id, key, post, due, "scheduled by the caller")
            return await self.send(tenant_id, key, post, recovering=claim.state == "pending")

    async def send(
        self, tenant_id: str, key: str, post: dict[str, Any], *, recovering: bool
    ) -> dict[str, Any]:
        """Post now (caller holds the key lock); defer on a spent window or cap."""
        try:
            account = await self.account(tenant_id, post.get("agent_id"))
            tweet = await self._create(tenant_id, account, post)
        except RateLimited as exc:
            return await self._defer(tenant_id, key, post, exc.retry_at, str(exc))
        except DuplicateContent:
            first = await self._recover(tenant_id, post) if recovering else None
            if first is None:
                await xstore.release(self.pool, tenant_id, key)
                raise DuplicateContent(
                    "X refused this text as a duplicate of an earlier post that was not made"
                    " with this idempotency key"
                ) from None
            result = self._published(tenant_id, key, post, account, first)
            await xstore.record(self.pool, tenant_id, key, post, result)
            return {**result, "duplicate": True}
        except Transient:
            raise  # outcome unknown: the claim stays pending for the retry to resolve
        except ServerError:
            await xstore.release(self.pool, tenant_id, key)
            raise
        result = self._published(tenant_id, key, post, account, tweet)
        await xstore.record(self.pool, tenant_id, key, post, result)
        return {**result, "duplicate": False}

    async def _create(
        self, tenant_id: str, account: Account, post: dict[str, Any]
    ) -> dict[str, Any]:
        limiter = self.limiter(tenant_id, account)
        await limiter.acquire("tweets:create")
        await limiter.claim_post(self.cap)
        try:
            api = self.api(limiter, account)
            media = [
                await self._media_id(api, limiter, await self._asset_path(tenant_id, m))
                for m in post.get("media_ids", [])
            ]
            reply_to = post.get("reply_to_id")
            if reply_to and reply_to.startswith("post-"):
                reply_to = await xstore.external_id(self.pool, tenant_id, reply_to)
                if reply_to is None:
                    raise InvalidArgument(f"{post['reply_to_id']!r} is not published on X yet")
            return await api.create_post(post["text"], reply_to, media)
        except BaseException:
            await limiter.release_post()
            raise

    async def _asset_path(self, tenant_id: str, media: str) -> str:
        """A media-server asset id (`img-...`, `vid-...`) as its file under CHIMERA_HOME."""
        if not media.startswith(("img-", "vid-")):
            return media
        async with tenant_tx(self.pool, tenant_id) as conn:
            cur = await conn.execute("SELECT path FROM media_assets WHERE asset_id = %s", (media,))
            row = await cur.fetchone()
        if row is None:
            raise InvalidMedia(f"media asset {media!r} not found")
        return str(row["path"])

    async def _media_id(self, api: XApi, limiter: Limiter, media: str) -> str:
        """An X media id: digits pass through; a file under CHIMERA_HOME is uploaded."""
        if media.isdigit():
            return media
        data, kind = await asyncio.to_thread(read_image, self.settings.home, media)
        await limiter.acquire("media:upload")
        return await api.upload_image(data, kind)

    async def _recover(self, tenant_id: str, post: dict[str, Any]) -> dict[str, Any] | None:
        """The account's post that the first attempt made, whose answer was lost.

        It has the same text and the same reply target, and no other idempotency key of ours
        owns it: two keys never map to one X post.
        """
        account = await self.account(tenant_id, post.get("agent_id"))
        limiter = self.limiter(tenant_id, account)
        reply_to = post.get("reply_to_id")
        if reply_to and reply_to.startswith("post-"):
            reply_to = await xstore.external_id(self.pool, tenant_id, reply_to)
        await limiter.acquire("users:tweets")
        for tweet in await self.api(limiter, account).recent_posts(account.id):
            replied = [
                r.get("id")
                for r in tweet.get("referenced_tweets", [])
                if r.get("type") == "replied_to"
            ]
            if (
                tweet.get("text") == post["text"]
                and replied == ([reply_to] if reply_to else [])
                and not await xstore.owner_of(
                    self.pool, tenant_id, post["platform"], str(tweet["id"])
                )
            ):
                return tweet
        return None

    def _published(
        self,
        tenant_id: str,
        key: str,
        post: dict[str, Any],
        account: Account,
        tweet: dict[str, Any],
    ) -> dict[str, Any]:
        return {
            "post_id": post_id_for(tenant_id, key),
            "platform": post["platform"],
            "status": "published",
            "published_at": iso_z(datetime.now(UTC)),
            "publish_at": None,
            "url": f"https://x.com/{account.username}/status/{tweet['id']}",
            "external_id": str(tweet["id"]),
        }

    async def _defer(
        self, tenant_id: str, key: str, post: dict[str, Any], due: datetime, reason: str
    ) -> dict[str, Any]:
        post_id = post_id_for(tenant_id, key)
        result = {
            "post_id": post_id,
            "platform": post["platform"],
            "status": "scheduled",
            "published_at": None,
            "publish_at": iso_z(due),
            "url": None,
            "external_id": None,
            "deferred": {"reason": reason, "retry_at": iso_z(due)},
        }
        await xstore.defer(self.pool, tenant_id, key, post, post_id, due)
        await xstore.record(self.pool, tenant_id, key, post, result)
        await self.schedule(tenant_id, key, due)
        return {**result, "duplicate": False}

    async def recent_mentions(
        self, tenant_id: str, agent_id: str, limit: int = 20
    ) -> list[dict[str, Any]]:
        """The agent's X mentions, newest first, refreshed unless the window is spent."""
        try:
            account = await self.account(tenant_id, agent_id)
        except RateLimited:
            return await xmentions.cached(self.pool, tenant_id, agent_id, limit)
        limiter = self.limiter(tenant_id, account)
        who = (tenant_id, agent_id)
        await xmentions.sync(self.api(limiter, account), limiter, self.pool, who, account.id)
        return await xmentions.cached(self.pool, tenant_id, agent_id, limit)

    async def profile(
        self, tenant_id: str, user_id: str, agent_id: str | None = None
    ) -> dict[str, Any]:
        """An X user's public profile (`me`: the tenant's, or the agent's, own account)."""
        account = await self.account(tenant_id, agent_id)
        target = account.id if user_id == "me" else user_id
        if not target.isdigit():
            raise InvalidArgument("an X user id is digits (or `me`)")
        limiter = self.limiter(tenant_id, account)
        await limiter.acquire("users:lookup")
        return await self.api(limiter, account).user(target)
