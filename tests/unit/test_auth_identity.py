"""API keys bound to a tenant user, and assistants per tenant, without a server.

`CHIMERA_API_KEYS` values are `tenant` or `tenant:user`; the authenticated user carries both and
the review node reads the bound user from the run config. Assistant reads and searches are
filtered to the caller's own plus the server's graph (system) assistants.

Proves specs/technical.md §7.7 and §7.8 (the server-level proof is
tests/e2e/test_server_identity.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from langgraph_sdk import Auth
from pydantic import ValidationError

from chimera.platform.api_keys import Principal, parse_principal, server_principal
from chimera.platform.settings import DEV_API_KEYS, Settings
from chimera.serving import auth
from tests.unit.test_auth import ctx


def test_key_values_name_a_tenant_and_optionally_a_user() -> None:
    """specs/technical.md §7.8"""
    assert parse_principal("tenant-a") == Principal("tenant-a")
    assert parse_principal("tenant-a:rev@a.example") == Principal("tenant-a", "rev@a.example")
    for bad in ("", ":rev@a.example", "tenant-a:", " : "):
        with pytest.raises(ValueError, match="API key value"):
            parse_principal(bad)


def test_malformed_key_values_are_refused_at_startup(monkeypatch: pytest.MonkeyPatch) -> None:
    """specs/technical.md §7.8"""
    monkeypatch.setenv("CHIMERA_API_KEYS", '{"k": "tenant-q:"}')
    with pytest.raises(ValidationError, match="no user after it"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.setenv("CHIMERA_API_KEYS", '{"k": "tenant-q:ops@q.example", "j": "tenant-q"}')
    assert Settings(_env_file=None).api_keys["k"] == "tenant-q:ops@q.example"  # type: ignore[call-arg]


async def test_a_bound_key_authenticates_as_its_tenant_and_user() -> None:
    """specs/technical.md §7.8"""
    bound = next(k for k, v in DEV_API_KEYS.items() if v.startswith("tenant-xyz:"))
    user: Any = await auth.authenticate({b"x-api-key": bound.encode()})
    assert user["tenant_id"] == "tenant-xyz"
    assert user["user_ref"] == "reviewer@tenant-xyz.local"
    assert user["identity"] == "tenant:tenant-xyz:user:reviewer@tenant-xyz.local"
    plain: Any = await auth.authenticate({b"x-api-key": b"chimera-dev-key-tenant-xyz"})
    assert plain == {"identity": "tenant:tenant-xyz", "tenant_id": "tenant-xyz"}


def test_the_review_node_reads_the_principal_from_the_run_config() -> None:
    """specs/technical.md §7.8"""
    user = {"identity": "x", "tenant_id": "tenant-a", "user_ref": "rev@a.example"}
    assert server_principal({"configurable": {"langgraph_auth_user": user}}) == Principal(
        "tenant-a", "rev@a.example"
    )
    no_user = {"identity": "x", "tenant_id": "tenant-a"}
    assert server_principal({"configurable": {"langgraph_auth_user": no_user}}) == Principal(
        "tenant-a"
    )
    studio = Auth.types.StudioUser("langgraph-studio-user")
    for config in ({}, {"configurable": {"langgraph_auth_user": studio}}):
        assert server_principal(config) is None  # type: ignore[arg-type]


async def test_assistant_reads_see_own_and_system_assistants_only() -> None:
    """specs/technical.md §7.7"""
    shared = {"$or": [{"tenant_id": "tenant-b"}, {"created_by": "system"}]}
    assert await auth.assistants(ctx("tenant-b", "assistants", "read"), {"assistant_id": "a"}) == (
        shared
    )
    query: dict[str, Any] = {"metadata": {"team": "x"}, "graph_id": None}
    assert await auth.assistants(ctx("tenant-b", "assistants", "search"), query) == shared
    assert query["metadata"] == {"team": "x"}, "a search's metadata query is left as asked"
    created: dict[str, Any] = {"metadata": {"team": "x"}}
    assert await auth.assistants(ctx("tenant-b", "assistants", "create"), created) == {
        "tenant_id": "tenant-b"
    }
    assert created["metadata"] == {"team": "x", "tenant_id": "tenant-b"}
    update = await auth.assistants(ctx("tenant-b", "assistants", "update"), {"metadata": {}})
    assert update == {"tenant_id": "tenant-b"}


async def test_a_tenant_cannot_pass_its_assistant_off_as_a_system_one() -> None:
    """specs/technical.md §7.7"""
    for action in ("create", "update"):
        value = {"metadata": {"created_by": "system"}}
        with pytest.raises(Auth.exceptions.HTTPException) as err:
            await auth.assistants(ctx("tenant-b", "assistants", action), value)
        assert err.value.status_code == 403
