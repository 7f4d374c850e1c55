"""Shared fixtures: one embedded Postgres + Redis per test session, real MCP servers over stdio.

Each session gets its own CHIMERA_HOME under pytest's temp dir, so tests never touch a
developer's data; tests isolate from each other by unique campaign ids (and tenants where it
matters), the way `langgraph`'s own tests use a database per test.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from chimera.platform.embedded import stop_services
from chimera.platform.settings import REPO_ROOT, Settings
from chimera.resources import Services, open_services
from tests.support.platform import forget_all_mentions

with warnings.catch_warnings():
    # web3 imports websockets.legacy for a provider we never use; import it once, quietly, so
    # the first test that touches the chain does not report the deprecation.
    warnings.simplefilter("ignore", DeprecationWarning)
    import web3  # noqa: F401

if TYPE_CHECKING:
    from tests.support.wallet import Devnet

ETHIOPIA = "agent-ethiopia-fashion-001"
LAGOS = "agent-lagos-tech-002"


@pytest.fixture(scope="session")
def chimera_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh CHIMERA_HOME for this session (short enough for unix socket paths)."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session")
def settings(chimera_home: Path) -> Iterator[Settings]:
    """Settings pointing at the session's home; embedded services are stopped at the end."""
    value = Settings(home=chimera_home, agents_dir=REPO_ROOT / "agents")
    yield value
    stop_services(value)


@pytest.fixture(scope="session")
async def svc(settings: Settings) -> AsyncIterator[Services]:
    """Services with real embedded Postgres and Redis and real stdio MCP servers."""
    async with open_services(settings) as services:
        yield services


@pytest.fixture(autouse=True)
def fresh_mentions(request: pytest.FixtureRequest) -> None:
    """Tests on `svc` start with every bundled mention unhandled (the ledger is per agent).

    The engagement ledger outlives a campaign on purpose, so tests that share the session's
    database would otherwise see mentions an earlier test already answered.
    """
    names = set(request.fixturenames)
    # End-to-end tests drive the session's services from subprocesses (`settings`).
    e2e = request.path.parent.name == "e2e" and bool(names & {"settings", "server_url"})
    if "svc" in names or e2e:
        forget_all_mentions(request.getfixturevalue("settings"))


@pytest.fixture
async def devnet(svc: Services) -> AsyncIterator[Devnet]:
    """Read access to the session's anvil; its HTTP session is closed after the test."""
    from tests.support.wallet import Devnet

    chain = Devnet(svc)
    yield chain
    await chain.w3.provider.disconnect()


@pytest.fixture
def goal() -> str:
    """A goal unique to the test, so each test has its own campaign."""
    return f"Promote the new Ethiopian summer fashion line (run {uuid.uuid4().hex[:8]})."


def subprocess_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment for a `chimera` subprocess sharing this session's services."""
    import os

    return {**os.environ, "CHIMERA_HOME": str(settings.home), **extra}
