"""Auth handlers without a server: keys map to tenants, created objects are tagged with the
caller's tenant, everything else is filtered on it, foreign inputs and namespaces are refused.

Proves specs/technical.md §7.2 (the server-level proof is tests/e2e/test_server_auth.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from langgraph_sdk import Auth

from chimera.platform.settings import DEV_API_KEYS, Settings
from chimera.serving import auth


class _User:
    """The dict-backed user LangGraph hands handlers, reduced to what ours read."""

    def __init__(self, tenant: str) -> None:
        self._data = {"identity": f"tenant:{tenant}", "tenant_id": tenant}

    def __getitem__(self, key: str) -> Any:
        return self._data[key]


def ctx(tenant: str, resource: str, action: str) -> Auth.types.AuthContext:
    """An auth context for `tenant` doing `action` on `resource`."""
    return Auth.types.AuthContext(
        permissions=[],
        user=_User(tenant),
        resource=resource,
        action=action,  # type: ignore[arg-type]
    )


async def test_known_keys_resolve_to_their_tenant_and_others_are_401() -> None:
    """specs/technical.md §7.2"""
    user = await auth.authenticate({b"x-api-key": b"chimera-dev-key-tenant-abc"})
    assert user["identity"] == "tenant:tenant-abc"
    for headers in ({b"x-api-key": b"nope"}, {}):
        with pytest.raises(Auth.exceptions.HTTPException) as err:
            await auth.authenticate(headers)
        assert err.value.status_code == 401
    assert auth.resolve_key({"k1": "t1", "k2": "t2"}, "k2") == "t2"
    assert auth.resolve_key({"k1": "t1"}, "k") is None


def test_api_keys_come_from_settings_with_documented_dev_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """specs/technical.md §7.2"""
    monkeypatch.delenv("CHIMERA_API_KEYS", raising=False)
    assert Settings(_env_file=None).api_keys == DEV_API_KEYS  # type: ignore[call-arg]
    monkeypatch.setenv("CHIMERA_API_KEYS", '{"s3cret": "tenant-q"}')
    assert Settings(_env_file=None).api_keys == {"s3cret": "tenant-q"}  # type: ignore[call-arg]


async def test_created_threads_are_tagged_and_reads_filtered() -> None:
    """specs/technical.md §7.2"""
    value: dict[str, Any] = {"metadata": {"topic": "x"}}
    assert await auth.threads(ctx("tenant-a", "threads", "create"), value) == {
        "tenant_id": "tenant-a"
    }
    assert value["metadata"] == {"topic": "x", "tenant_id": "tenant-a"}
    read = await auth.threads(ctx("tenant-b", "threads", "read"), {"thread_id": "t"})
    assert read == {"tenant_id": "tenant-b"}
    with pytest.raises(Auth.exceptions.HTTPException) as err:
        await auth.threads(ctx("tenant-b", "threads", "create"), {"metadata": {"tenant_id": "a"}})
    assert err.value.status_code == 403


async def test_a_run_for_another_tenant_is_forbidden() -> None:
    """specs/technical.md §7.2"""
    mine = {"metadata": {}, "kwargs": {"input": {"tenant_id": "tenant-a"}}}
    assert await auth.threads(ctx("tenant-a", "threads", "create_run"), mine)
    theirs = {"metadata": {}, "kwargs": {"input": {"tenant_id": "tenant-b"}}}
    with pytest.raises(Auth.exceptions.HTTPException) as err:
        await auth.threads(ctx("tenant-a", "threads", "create_run"), theirs)
    assert err.value.status_code == 403


async def test_store_namespaces_must_start_with_the_tenant() -> None:
    """specs/technical.md §7.2"""
    await auth.store(ctx("tenant-a", "store", "put"), {"namespace": ("tenant-a", "n")})
    listing: dict[str, Any] = {"namespace": ()}
    await auth.store(ctx("tenant-a", "store", "search"), listing)
    assert listing["namespace"] == ("tenant-a",)
    for namespace in (("tenant-b", "n"), ()):
        with pytest.raises(Auth.exceptions.HTTPException):
            await auth.store(ctx("tenant-a", "store", "get"), {"namespace": namespace})


def test_only_a_resume_keyed_by_interrupt_ids_names_what_it_answers() -> None:
    """specs/console.md §6 (several pending reviews in one thread)"""
    iid = "20079ea0e2a4210fc10829dcdf1e45fd"
    assert auth.unkeyed_resume({"resume": [{"type": "accept", "args": None}]})
    assert auth.unkeyed_resume({"resume": {"decision": "approve"}})
    assert auth.unkeyed_resume({"resume": {}})
    assert not auth.unkeyed_resume({"resume": {iid: [{"type": "accept", "args": None}]}})
    assert not auth.unkeyed_resume({"goto": "x"})
    assert not auth.unkeyed_resume(None)
