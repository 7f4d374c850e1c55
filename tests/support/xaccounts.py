"""A replay of X with several accounts, and the operator's accounts file, for per-tenant tests.

See specs/technical.md §14.6. X knows each account by its user token: a request is verified
(OAuth 1.0a signature, or bearer token) against the token it names and then acts as that account
(`GET /2/users/me`, its own timeline, its own duplicate-content check). The plain `XReplay`
knows one account; this one adds two more without changing it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from servers.social.xauth import OAuth1, OAuth1Credentials
from tests.support.xreplay import BEARER, CREDS, DUPLICATE, ME, Recorded, XReplay

ME_B = {"id": "1533384471", "name": "Ama", "username": "ama_builds"}
CREDS_B = OAuth1Credentials(CREDS.consumer_key, CREDS.consumer_secret, "at-b-test", "as-b-test")
"""Tenant B's user tokens, signed with the same app's consumer keys."""
ME_C = {"id": "1602030405", "name": "Kofi", "username": "kofi_reviews"}
BEARER_C = "bearer-c-token"
"""An OAuth 2.0 user token of a third account (an agent's own)."""


@dataclass(frozen=True)
class XAccount:
    """One account of the fake X and the token it is known by."""

    me: dict[str, str]
    creds: OAuth1Credentials | None = None
    bearer: str | None = None


def oauth_fields(auth: str) -> dict[str, str]:
    """The decoded parameters of an `Authorization: OAuth ...` header."""
    pairs = (p.split("=", 1) for p in auth[6:].split(", "))
    return {k: httpx.URL("?x=" + v.strip('"')).params["x"] for k, v in pairs}


def signed_by(req: Recorded, creds: OAuth1Credentials) -> bool:
    """Whether the request's OAuth 1.0a signature is the one `creds` make (RFC 5849 §3.4)."""
    auth = req.headers.get("authorization", "")
    fields = oauth_fields(auth)
    signer = OAuth1(
        creds, nonce=lambda: fields["oauth_nonce"], clock=lambda: int(fields["oauth_timestamp"])
    )
    url = f"http://{req.headers['host']}{req.path}"
    return signer.header(req.method, url, list(req.query.items())) == auth


@dataclass
class AccountsReplay(XReplay):
    """The fake X with the default account, tenant B's (OAuth 1.0a) and C's (bearer)."""

    accounts: list[XAccount] = field(
        default_factory=lambda: [
            XAccount(ME, CREDS, BEARER),
            XAccount(ME_B, CREDS_B),
            XAccount(ME_C, bearer=BEARER_C),
        ]
    )

    def __post_init__(self) -> None:
        """Every account is a user `GET /2/users/:id` can find."""
        self.users += [a.me for a in self.accounts if a.me is not ME]

    def account_of(self, req: Recorded) -> XAccount | None:
        """The account whose token signed `req` (None if no account's does)."""
        auth = req.headers.get("authorization", "")
        if auth.startswith("Bearer "):
            return next((a for a in self.accounts if a.bearer == auth[7:]), None)
        if not auth.startswith("OAuth "):
            return None
        token = oauth_fields(auth).get("oauth_token")
        for account in self.accounts:
            if account.creds and account.creds.token == token and signed_by(req, account.creds):
                return account
        return None

    def posted_by(self, account: dict[str, str]) -> list[str]:
        """Texts of the posts that landed on `account`."""
        return [p["text"] for p in self.posts if p["author_id"] == account["id"]]

    def _authorized(self, req: Recorded) -> bool:
        return self.account_of(req) is not None

    def _route(self, req: Recorded) -> tuple[int, dict[str, Any]]:
        account = self.account_of(req)
        assert account is not None  # _authorized ran first
        me = account.me
        if req.method == "POST" and req.path == "/2/tweets":
            body = req.json()
            if body["text"] in self.posted_by(me):
                return 403, DUPLICATE
            post_id = str(1_900_000_000_000_000_000 + len(self.posts))
            self.posts.append({"id": post_id, "author_id": me["id"], **body})
            return 201, {"data": {"id": post_id, "text": body["text"]}}
        if req.path == "/2/users/me":
            return 200, {"data": me}
        if req.path == f"/2/users/{me['id']}/tweets":
            mine = [
                {"id": p["id"], "text": p["text"]}
                for p in reversed(self.posts)
                if p["author_id"] == me["id"]
            ]
            return 200, {"data": mine, "meta": {"result_count": len(mine)}}
        return super()._route(req)


def oauth1_entry(creds: OAuth1Credentials, *, with_app: bool = False) -> dict[str, Any]:
    """An accounts-file OAuth 1.0a entry (the app keys come from the settings unless asked)."""
    entry = {"access_token": creds.token, "access_token_secret": creds.token_secret}
    if with_app:
        entry |= {"consumer_key": creds.consumer_key, "consumer_secret": creds.consumer_secret}
    return {"oauth1": entry}


def write_accounts(path: Path, accounts: dict[str, Any], mode: int = 0o600) -> Path:
    """Blocking: write an accounts file with `mode` (created owner-only, then chmod)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"accounts": accounts}, out)
    path.chmod(mode)
    return path
