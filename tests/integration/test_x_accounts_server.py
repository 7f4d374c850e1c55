"""Per-tenant X accounts through the real social server: stdio MCP, replayed X over HTTP.

See specs/technical.md §14.6. The server reads the operator's accounts file at start (and refuses
to start on one that others can read); each tool call is signed as its own tenant's account, and a
tenant with no account gets the typed `unauthorized` error across the wire.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chimera.mcp.errors import ToolUnauthorized
from chimera.mcp.host import CallIdentity
from chimera.platform.settings import REPO_ROOT, Settings
from chimera.resources import Services, open_services
from tests.conftest import LAGOS, subprocess_env
from tests.support.xaccounts import (
    CREDS_B,
    ME_B,
    AccountsReplay,
    oauth1_entry,
    oauth_fields,
    write_accounts,
)
from tests.support.xfixtures import forget_x_state
from tests.support.xreplay import CREDS, ME
from tests.support.xtransport import serve

ABC, XYZ, NONE = "tenant-abc", "tenant-xyz", "tenant-without-x"


@pytest.fixture
def replay() -> AccountsReplay:
    """A fake X with several accounts."""
    return AccountsReplay()


@pytest.fixture
async def x_services(
    settings: Settings, replay: AccountsReplay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Services]:
    """Services whose social server takes ABC's and XYZ's X accounts from an accounts file."""
    accounts = {ABC: oauth1_entry(CREDS), XYZ: oauth1_entry(CREDS_B)}
    path = await asyncio.to_thread(write_accounts, tmp_path / "x-accounts.json", accounts)
    with serve(replay) as base:
        for name, value in {
            "CHIMERA_SOCIAL_BACKEND": "x",
            "CHIMERA_X_API_BASE": base,
            "CHIMERA_X_CONSUMER_KEY": CREDS.consumer_key,
            "CHIMERA_X_CONSUMER_SECRET": CREDS.consumer_secret,
            "CHIMERA_X_ACCOUNTS_FILE": str(path),
        }.items():
            monkeypatch.setenv(name, value)
        async with open_services(settings) as services:
            for tenant in (ABC, XYZ):
                await forget_x_state(services, tenant)
            yield services
            for tenant in (ABC, XYZ):
                await forget_x_state(services, tenant)


def _tweet(tenant: str, text: str) -> dict[str, str]:
    key = f"k-{uuid.uuid4().hex}"
    return {"tenant_id": tenant, "agent_id": LAGOS, "text": text, "idempotency_key": key}


async def test_each_tenants_tool_call_posts_on_its_own_account_and_others_are_refused(
    x_services: Services, replay: AccountsReplay
) -> None:
    """specs/technical.md §14.6"""
    host = x_services.host
    a = await host.call_tool("social", "post_tweet", _tweet(ABC, "Hello from ABC"), who=_who(ABC))
    b = await host.call_tool("social", "post_tweet", _tweet(XYZ, "Hello from XYZ"), who=_who(XYZ))
    assert a["url"].startswith(f"https://x.com/{ME['username']}/")
    assert b["url"].startswith(f"https://x.com/{ME_B['username']}/")
    assert replay.posted_by(ME) == ["Hello from ABC"]
    assert replay.posted_by(ME_B) == ["Hello from XYZ"]
    sent = len(replay.requests)
    with pytest.raises(ToolUnauthorized, match="no X account configured for tenant") as caught:
        await host.call_tool("social", "post_tweet", _tweet(NONE, "Borrowed"), who=_who(NONE))
    assert len(replay.requests) == sent
    for secret in (CREDS.token, CREDS.token_secret, CREDS_B.token, CREDS_B.token_secret):
        assert secret not in str(caught.value)
    tokens = [oauth_fields(r.headers["authorization"])["oauth_token"] for r in replay.requests]
    assert set(tokens) == {CREDS.token, CREDS_B.token}


def _who(tenant: str) -> CallIdentity:
    return CallIdentity(tenant_id=tenant, agent_id=LAGOS, run_id="run-x-accounts")


async def test_the_social_server_refuses_to_start_on_an_accounts_file_others_can_read(
    settings: Settings, tmp_path: Path
) -> None:
    """specs/technical.md §14.6"""
    path = await asyncio.to_thread(
        write_accounts, tmp_path / "x-accounts.json", {ABC: oauth1_entry(CREDS)}, 0o644
    )
    env = subprocess_env(
        settings,
        CHIMERA_SOCIAL_BACKEND="x",
        CHIMERA_X_CONSUMER_KEY=CREDS.consumer_key,
        CHIMERA_X_CONSUMER_SECRET=CREDS.consumer_secret,
        CHIMERA_X_ACCOUNTS_FILE=str(path),
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "servers.social",
        cwd=REPO_ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode != 0
    assert b"open to group or others" in err and b"chmod 600" in err
    assert CREDS.token_secret.encode() not in err
