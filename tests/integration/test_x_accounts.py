# ruff: noqa: F811  (pytest fixtures imported from tests.support.xfixtures are re-bound as arguments)
"""Each tenant (or agent) posts through its own X account; nobody borrows another's.

See specs/technical.md §14.6. The replay knows three accounts by their tokens and verifies every
OAuth 1.0a signature, so a post signed with the wrong tenant's tokens lands on the wrong account
(or is refused) and the assertions below would see it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chimera.platform.db import tenant_tx
from chimera.platform.settings import Settings
from chimera.resources import Services
from servers.social.backend import x_http_client
from servers.social.errors import Unauthorized
from servers.social.outbox import Outbox
from servers.social.xaccounts import AccountsFileError, load_accounts
from servers.social.xbackend import XBackend
from tests.conftest import LAGOS
from tests.support.xaccounts import (
    BEARER_C,
    CREDS_B,
    ME_B,
    ME_C,
    AccountsReplay,
    oauth1_entry,
    oauth_fields,
    write_accounts,
)
from tests.support.xfixtures import forget_x_state, tenant, tweet, x_settings  # noqa: F401
from tests.support.xreplay import CREDS, ME, XReplay
from tests.support.xtransport import mock_transport

Build = Callable[..., Awaitable[XBackend]]
NO_ENV = {"x_access_token": None, "x_access_token_secret": None, "x_default_tenants": []}
"""Only the app's consumer keys in the environment: every account comes from the file."""


def key() -> str:
    return f"k-{uuid.uuid4().hex}"


@pytest.fixture
def replay() -> AccountsReplay:
    """A fake X with three accounts."""
    return AccountsReplay()


@pytest.fixture
async def tenant_b(svc: Services) -> AsyncIterator[str]:
    """A second tenant of its own."""
    name = f"tenant-x-{uuid.uuid4().hex[:8]}"
    yield name
    await forget_x_state(svc, name)


@pytest.fixture
async def build(
    svc: Services, settings: Settings, replay: XReplay, tmp_path: Path
) -> AsyncIterator[Build]:
    """Build an `XBackend` whose accounts file holds `accounts` (settings overrides allowed)."""
    clients = []

    async def make(accounts: dict[str, Any], **over: Any) -> XBackend:
        path = tmp_path / f"x-accounts-{uuid.uuid4().hex[:6]}.json"
        await asyncio.to_thread(write_accounts, path, accounts)
        conf = x_settings(settings, **(NO_ENV | {"x_accounts_file": path} | over))
        client = x_http_client(conf, transport=mock_transport(replay))
        clients.append(client)
        return XBackend(conf, svc.pool, svc.redis, client, await load_accounts(conf))

    yield make
    for client in clients:
        await client.aclose()


def tokens_of(replay: XReplay, method: str, path: str) -> list[str]:
    """The user token (OAuth 1.0a `oauth_token`, or the bearer) each matching request carried."""
    out = []
    for req in replay.calls(method, path):
        auth = req.headers["authorization"]
        out.append(auth[7:] if auth.startswith("Bearer ") else oauth_fields(auth)["oauth_token"])
    return out


async def test_each_tenant_posts_on_its_own_account_signed_with_its_own_tokens(
    build: Build, replay: AccountsReplay, tenant: str, tenant_b: str
) -> None:
    """specs/technical.md §14.6"""
    x = await build({tenant: oauth1_entry(CREDS), tenant_b: oauth1_entry(CREDS_B, with_app=True)})
    text = "Same words, two accounts #AIcreator"
    a = await x.publish(tenant, key(), "post_tweet", tweet(LAGOS, text))
    b = await x.publish(tenant_b, key(), "post_tweet", tweet(LAGOS, text))
    assert a["url"].startswith(f"https://x.com/{ME['username']}/status/")
    assert b["url"].startswith(f"https://x.com/{ME_B['username']}/status/")
    assert replay.posted_by(ME) == [text]
    assert replay.posted_by(ME_B) == [text]
    assert tokens_of(replay, "POST", "/2/tweets") == [CREDS.token, CREDS_B.token]
    assert tokens_of(replay, "GET", "/2/users/me") == [CREDS.token, CREDS_B.token]
    assert (await x.account(tenant)).id == ME["id"]
    assert (await x.account(tenant_b)).id == ME_B["id"]
    assert len(replay.calls("GET", "/2/users/me")) == 2  # each account cached under its tenant


async def test_an_agent_with_its_own_account_posts_there_and_the_others_on_the_tenants(
    build: Build, replay: AccountsReplay, tenant: str
) -> None:
    """specs/technical.md §14.6"""
    x = await build({tenant: oauth1_entry(CREDS), f"{tenant}/{LAGOS}": {"bearer_token": BEARER_C}})
    own = await x.publish(tenant, key(), "post_tweet", tweet(LAGOS, "From my own handle"))
    shared = await x.publish(tenant, key(), "post_tweet", tweet("agent-other", "From the brand"))
    assert own["url"].startswith(f"https://x.com/{ME_C['username']}/")
    assert shared["url"].startswith(f"https://x.com/{ME['username']}/")
    assert replay.posted_by(ME_C) == ["From my own handle"]
    assert replay.posted_by(ME) == ["From the brand"]
    assert tokens_of(replay, "POST", "/2/tweets") == [BEARER_C, CREDS.token]
    assert (await x.profile(tenant, "me", LAGOS))["username"] == ME_C["username"]


async def test_a_tenant_without_an_account_is_refused_and_nothing_is_sent(
    build: Build, replay: AccountsReplay, svc: Services, tenant: str, tenant_b: str
) -> None:
    """specs/technical.md §14.6"""
    # The env set exists but serves only `tenant`: tenant B must not borrow it.
    x = await build(
        {},
        x_access_token=CREDS.token,
        x_access_token_secret=CREDS.token_secret,
        x_default_tenants=[tenant],
    )
    k = key()
    with pytest.raises(Unauthorized, match=f"no X account configured for tenant '{tenant_b}'"):
        await x.publish(tenant_b, k, "post_tweet", tweet(LAGOS, "Borrowed voice"))
    with pytest.raises(Unauthorized, match="no X account configured"):
        await x.recent_mentions(tenant_b, LAGOS)
    with pytest.raises(Unauthorized, match="no X account configured"):
        await x.profile(tenant_b, "me")
    assert replay.requests == []
    async with tenant_tx(svc.pool, tenant_b) as conn:
        cur = await conn.execute(
            "SELECT 1 FROM social_idempotency WHERE idempotency_key = %s", (k,)
        )
        assert await cur.fetchone() is None  # the key was never claimed: a later retry is free
    served = await x.publish(tenant, key(), "post_tweet", tweet(LAGOS, "Own voice"))
    assert served["status"] == "published"
    assert replay.posted_by(ME) == ["Own voice"]


async def test_the_outbox_publishes_each_deferred_post_with_its_own_tenants_credentials(
    build: Build, replay: AccountsReplay, svc: Services, tenant: str, tenant_b: str
) -> None:
    """specs/technical.md §14.6"""
    x = await build(
        {
            tenant: oauth1_entry(CREDS),
            tenant_b: oauth1_entry(CREDS_B),
            f"{tenant_b}/agent-c": {"bearer_token": BEARER_C},
        }
    )
    due = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    later = {"mode": "scheduled", "publish_at": due}
    kb = key()
    queued_b = await x.publish(
        tenant_b, kb, "post_tweet", tweet(LAGOS, "B later", scheduling=later)
    )
    queued_a = await x.publish(
        tenant, key(), "post_tweet", tweet(LAGOS, "A later", scheduling=later)
    )
    await x.publish(tenant_b, key(), "post_tweet", tweet("agent-c", "C later", scheduling=later))
    assert queued_a["status"] == queued_b["status"] == "scheduled"
    assert replay.calls("POST", "/2/tweets") == []
    await Outbox(x, poll_s=0.05).drain_once()
    assert replay.posted_by(ME_B) == ["B later"]
    assert replay.posted_by(ME) == ["A later"]
    assert replay.posted_by(ME_C) == ["C later"]
    by_text = dict(
        zip(
            [r.json()["text"] for r in replay.calls("POST", "/2/tweets")],
            tokens_of(replay, "POST", "/2/tweets"),
            strict=True,
        )
    )
    assert by_text == {"B later": CREDS_B.token, "C later": BEARER_C, "A later": CREDS.token}
    async with tenant_tx(svc.pool, tenant_b) as conn:
        cur = await conn.execute(
            "SELECT status, external_id, url FROM social_posts WHERE post_id = %s",
            (queued_b["post_id"],),
        )
        row = await cur.fetchone()
    assert row is not None and row["status"] == "published"
    assert row["url"].startswith(f"https://x.com/{ME_B['username']}/")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o700 | 0o004])
async def test_an_accounts_file_open_to_group_or_others_is_refused(
    settings: Settings, tmp_path: Path, mode: int, tenant: str
) -> None:
    """specs/technical.md §14.6"""
    path = await asyncio.to_thread(
        write_accounts, tmp_path / "x-accounts.json", {tenant: oauth1_entry(CREDS)}, mode
    )
    conf = x_settings(settings, **(NO_ENV | {"x_accounts_file": path}))
    with pytest.raises(AccountsFileError, match=r"open to group or others.*chmod 600"):
        await load_accounts(conf)
    await asyncio.to_thread(path.chmod, 0o600)
    assert (await load_accounts(conf)).resolve(tenant).source == tenant


async def test_a_relative_accounts_file_is_read_under_chimera_home(
    settings: Settings, tenant: str
) -> None:
    """specs/technical.md §14.6"""
    name = f"x-accounts-{tenant}.json"
    path = await asyncio.to_thread(
        write_accounts, settings.home / name, {tenant: {"bearer_token": BEARER_C}}
    )
    try:
        conf = x_settings(settings, **(NO_ENV | {"x_accounts_file": Path(name)}))
        assert (await load_accounts(conf)).resolve(tenant, LAGOS).source == tenant
    finally:
        await asyncio.to_thread(path.unlink)


@pytest.mark.parametrize(
    ("accounts", "error"),
    [
        ({"t-1": {"oauth1": {"access_token": "SECRET-TOKEN"}}}, "access_token_secret"),
        ({"t-1": {"bearer_token": "SECRET-TOKEN", "oauth1": None, "x": 1}}, "x: Extra"),
        ({"t-1": {"bearer_token": "SECRET-TOKEN", **oauth1_entry(CREDS)}}, "exactly one"),
        ({"t 1/../x": {"bearer_token": "SECRET-TOKEN"}}, "entry names"),
    ],
)
async def test_a_malformed_accounts_file_is_refused_without_quoting_its_secrets(
    settings: Settings, tmp_path: Path, accounts: dict[str, Any], error: str
) -> None:
    """specs/technical.md §14.6"""
    path = await asyncio.to_thread(write_accounts, tmp_path / "x-accounts.json", accounts)
    conf = x_settings(settings, **(NO_ENV | {"x_accounts_file": path}))
    with pytest.raises(AccountsFileError, match=error) as caught:
        await load_accounts(conf)
    assert "SECRET-TOKEN" not in str(caught.value)
    assert CREDS.token_secret not in str(caught.value)


async def test_oauth1_entries_without_consumer_keys_anywhere_are_refused(
    settings: Settings, tmp_path: Path
) -> None:
    """specs/technical.md §14.6"""
    path = await asyncio.to_thread(
        write_accounts, tmp_path / "x-accounts.json", {"t-1": oauth1_entry(CREDS)}
    )
    over = NO_ENV | {"x_accounts_file": path, "x_consumer_key": None, "x_consumer_secret": None}
    with pytest.raises(AccountsFileError, match=r"'t-1'.*consumer_key"):
        await load_accounts(x_settings(settings, **over))


async def test_env_credentials_serve_only_the_tenants_named_for_them(
    settings: Settings, tenant: str
) -> None:
    """specs/technical.md §14.6"""
    with pytest.raises(AccountsFileError, match="CHIMERA_X_DEFAULT_TENANTS"):
        await load_accounts(x_settings(settings, x_default_tenants=[]))
    with pytest.raises(AccountsFileError, match="needs X accounts"):
        await load_accounts(x_settings(settings, **NO_ENV))
    accounts = await load_accounts(x_settings(settings, x_default_tenants=f"{tenant}, tenant-abc"))
    assert accounts.resolve(tenant).source == "env"
    assert accounts.resolve("tenant-abc", LAGOS).source == "env"
    with pytest.raises(Unauthorized):
        accounts.resolve("tenant-xyz")


async def test_no_secret_shows_in_the_representation_of_accounts_or_auth(
    build: Build, tenant: str
) -> None:
    """specs/technical.md §14.6"""
    x = await build({tenant: oauth1_entry(CREDS), f"{tenant}/{LAGOS}": {"bearer_token": BEARER_C}})
    cred = x.accounts.resolve(tenant)
    text = " ".join(
        repr(v) for v in (x.accounts, cred, cred.auth, x.accounts.resolve(tenant, LAGOS), CREDS)
    )
    for secret in (CREDS.consumer_secret, CREDS.token, CREDS.token_secret, BEARER_C):
        assert secret not in text
    assert tenant in text
