"""Integration fixtures: no blocking call on the event loop, and both checkpointers.

Every integration test runs under blockbuster (specs/technical.md §7): a blocking call made by
first-party code on the event loop fails the test. Graph tests that take `checkpointer` run once
with LangGraph's in-memory saver and once with the Postgres saver the runtime uses, both with
the runtime's strict serializer, as LangGraph's own tests parametrise their savers.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from blockbuster import blockbuster_ctx
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from chimera.platform.checkpoint import saver, serializer
from chimera.resources import Services

FIRST_PARTY = ["chimera", "nodes", "graphs", "skills", "state"]


# Blocking calls inside libraries that we cannot move off the loop: redis-py reads its own version
# from package metadata each time it opens a connection; psycopg loads the server's time zone
# from the zoneinfo files once per connection.
LIBRARY_ALLOWANCES = [("redis/utils.py", "get_lib_version"), ("psycopg/_tz.py", "get_tzinfo")]


@pytest.fixture(autouse=True)
def no_blocking_calls(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test on a blocking call from first-party code inside the event loop.

    Benchmarks driven as tests (`allow_blocking`) build their stub graphs synchronously on
    purpose: they measure engine overhead, not Chimera's I/O.
    """
    if request.node.get_closest_marker("allow_blocking"):
        yield
        return
    with blockbuster_ctx(FIRST_PARTY) as bb:
        for function in bb.functions.values():
            for path, name in LIBRARY_ALLOWANCES:
                function.can_block_in(path, name)
        yield


@pytest.fixture(params=["memory", "postgres"])
async def checkpointer(request: pytest.FixtureRequest, svc: Services) -> BaseCheckpointSaver[str]:
    """The in-memory saver, then the Postgres saver on the runtime role's pool."""
    if request.param == "memory":
        return InMemorySaver(serde=serializer())
    return saver(svc.checkpoint_pool)
