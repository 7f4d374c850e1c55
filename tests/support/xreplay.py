"""A replay of the X API v2 wire format, for tests (X cannot be reached from here).

Requests and responses follow the X API reference: `POST /2/tweets`, `GET /2/users/me`,
`GET /2/users/:id`, `GET /2/users/:id/mentions` (pages of `max_results`, `meta.next_token`,
`pagination_token`, `since_id`), `GET /2/users/:id/tweets`, `POST /2/media/upload`, the
`x-rate-limit-*` headers, and the documented error bodies (401, 403 duplicate content, 429, 400).
`tests/support/xtransport.py` serves one `XReplay` as an `httpx.MockTransport` or as a real
HTTP server on 127.0.0.1, so the social server process can be pointed at it with
`CHIMERA_X_API_BASE`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from servers.social.xauth import OAuth1, OAuth1Credentials

ME = {"id": "2244994945", "name": "Tunde", "username": "tunde_techs"}
CREDS = OAuth1Credentials("ck-test", "cs-test", "at-test", "as-test")
BEARER = "bearer-test-token"
DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
UNAUTHORIZED = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
TOO_MANY = {
    "title": "Too Many Requests",
    "detail": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
}


def _as_listed(post: dict[str, Any]) -> dict[str, Any]:
    """A post as `GET /2/users/:id/tweets` lists it with `tweet.fields=referenced_tweets`."""
    listed = {"id": post["id"], "text": post["text"], "edit_history_tweet_ids": [post["id"]]}
    if "reply" in post:
        listed["referenced_tweets"] = [
            {"type": "replied_to", "id": post["reply"]["in_reply_to_tweet_id"]}
        ]
    return listed


def mention(n: int, text: str, author: str = "1111") -> dict[str, Any]:
    """A mention as `GET /2/users/:id/mentions` returns it (with the requested tweet.fields)."""
    return {
        "id": str(1_800_000_000_000_000_000 + n),
        "text": f"@tunde_techs {text}",
        "author_id": author,
        "conversation_id": str(1_800_000_000_000_000_000 + n),
        "created_at": f"2026-02-06T0{n % 10}:15:00.000Z",
        "edit_history_tweet_ids": [str(1_800_000_000_000_000_000 + n)],
    }


@dataclass
class Recorded:
    """One request the replay received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The JSON body."""
        return json.loads(self.body)


@dataclass
class XReplay:
    """The fake X: state, scripted failures and the request log."""

    mentions: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(
        default_factory=lambda: [{"id": "1111", "username": "yaba_dev", "name": "Yaba Dev"}]
    )
    page_size: int = 2
    limits: dict[str, int] = field(default_factory=dict)
    """Endpoint ("POST /2/tweets", "GET mentions") -> calls allowed in the window; then 429."""
    reset_in: float = 900.0
    lose_next_create: bool = False
    """Create the next post but answer 503 (the caller never learns its id)."""
    fail_next: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    verify_oauth: bool = True
    posts: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _used: dict[str, int] = field(default_factory=dict)
    _window_end: float = 0.0

    def wait_for(self, check: Callable[[XReplay], bool], timeout: float = 30.0) -> bool:
        """Block until `check(self)` holds or the deadline passes (use via asyncio.to_thread)."""
        with self._cond:
            return self._cond.wait_for(lambda: check(self), timeout=timeout)

    def calls(self, method: str, prefix: str) -> list[Recorded]:
        """Requests received for a method and path prefix."""
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    def handle(self, req: Recorded) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Answer one request as X would."""
        with self._cond:
            self.requests.append(req)
            try:
                return self._answer(req)
            finally:
                self._cond.notify_all()

    def _answer(self, req: Recorded) -> tuple[int, dict[str, str], dict[str, Any]]:
        if not self._authorized(req):
            return 401, {}, UNAUTHORIZED
        endpoint = f"{req.method} {'mentions' if req.path.endswith('/mentions') else req.path}"
        if time.time() >= self._window_end:  # a new window: every endpoint's count restarts
            self._used.clear()
            self._window_end = time.time() + self.reset_in
        used = self._used[endpoint] = self._used.get(endpoint, 0) + 1
        limit = self.limits.get(endpoint, 10_000)
        reset = str(int(self._window_end))
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - used)),
            "x-rate-limit-reset": reset,
        }
        if used > limit:
            return 429, headers, TOO_MANY
        if self.fail_next:
            status, body = self.fail_next.pop(0)
            return status, headers, body
        status, body = self._route(req)
        return status, headers, body

    def _authorized(self, req: Recorded) -> bool:
        auth = req.headers.get("authorization", "")
        if auth == f"Bearer {BEARER}":
            return True
        if not auth.startswith("OAuth ") or not self.verify_oauth:
            return False
        fields = dict((k, v.strip('"')) for k, v in (p.split("=", 1) for p in auth[6:].split(", ")))
        decoded = {k: httpx.URL("?x=" + v).params["x"] for k, v in fields.items()}
        signer = OAuth1(
            CREDS,
            nonce=lambda: decoded["oauth_nonce"],
            clock=lambda: int(decoded["oauth_timestamp"]),
        )
        expected = signer.header(
            req.method, f"http://{req.headers['host']}{req.path}", list(req.query.items())
        )
        return expected == auth

    def _route(self, req: Recorded) -> tuple[int, dict[str, Any]]:
        path = req.path
        if req.method == "POST" and path == "/2/tweets":
            return self._create(req.json())
        if req.method == "POST" and path == "/2/media/upload":
            body = req.json()
            media_id = str(1_880_000_000_000_000_000 + len(self.requests))
            return 200, {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(body["media"]),
                    "expires_after_secs": 86400,
                    "image": {"image_type": body["media_type"], "w": 1, "h": 1},
                }
            }
        if path == "/2/users/me":
            return 200, {"data": ME}
        if path == f"/2/users/{ME['id']}/mentions":
            return 200, self._mentions_page(req.query)
        if path == f"/2/users/{ME['id']}/tweets":
            return 200, {
                "data": [_as_listed(p) for p in reversed(self.posts)],
                "meta": {"result_count": len(self.posts)},
            }
        if path.startswith("/2/users/"):
            uid = path.rsplit("/", 1)[1]
            known = {u["id"]: u for u in [ME, *self.users]}
            if uid not in known:
                return 200, {
                    "errors": [
                        {
                            "value": uid,
                            "detail": f"Could not find user with id: [{uid}].",
                            "title": "Not Found Error",
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ]
                }
            return 200, {
                "data": {
                    **known[uid],
                    "description": "",
                    "public_metrics": {
                        "followers_count": 42,
                        "following_count": 7,
                        "tweet_count": len(self.posts),
                        "listed_count": 0,
                    },
                }
            }
        return 404, {"title": "Not Found Error", "status": 404, "detail": path}

    def _create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if any(p["text"] == body["text"] for p in self.posts):
            return 403, DUPLICATE
        for media_id in body.get("media", {}).get("media_ids", []):
            if not media_id.startswith("188"):
                return 400, {
                    "errors": [
                        {
                            "parameters": {"media.media_ids": [media_id]},
                            "message": "Your media IDs are invalid.",
                        }
                    ],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                }
        post_id = str(1_900_000_000_000_000_000 + len(self.posts))
        self.posts.append({"id": post_id, **body})
        if self.lose_next_create:
            self.lose_next_create = False
            return 503, {
                "title": "Service Unavailable",
                "status": 503,
                "detail": "Service Unavailable",
            }
        return 201, {
            "data": {"id": post_id, "text": body["text"], "edit_history_tweet_ids": [post_id]}
        }

    def _mentions_page(self, query: dict[str, str]) -> dict[str, Any]:
        ordered = sorted(self.mentions, key=lambda m: int(m["id"]), reverse=True)
        if "since_id" in query:
            ordered = [m for m in ordered if int(m["id"]) > int(query["since_id"])]
        start = int(query.get("pagination_token", "0") or 0)
        page = ordered[start : start + self.page_size]
        if not page:
            return {"meta": {"result_count": 0}}
        meta: dict[str, Any] = {
            "result_count": len(page),
            "newest_id": page[0]["id"],
            "oldest_id": page[-1]["id"],
        }
        if start + self.page_size < len(ordered):
            meta["next_token"] = str(start + self.page_size)
        authors = {m["author_id"] for m in page}
        return {
            "data": page,
            "includes": {"users": [u for u in self.users if u["id"] in authors]},
            "meta": meta,
        }
