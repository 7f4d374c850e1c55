"""Wallet ids across tenants: no orphan key, no existence oracle (specs/security.md §5)."""

from __future__ import annotations

import uuid

import pytest

from chimera.mcp.errors import ToolConflict
from chimera.resources import Services
from tests.support.mcp import ABC, WHO_ABC, WHO_XYZ, XYZ


async def test_a_wallet_id_of_another_tenant_is_refused_alike_and_leaves_no_key(
    svc: Services,
) -> None:
    """specs/security.md §5.1"""
    taken = f"wallet-sec-{uuid.uuid4().hex[:10]}"
    mine = {"tenant_id": XYZ, "agent_id": WHO_XYZ.agent_id, "wallet_id": taken}
    created = await svc.host.call_tool("wallet", "create_wallet", mine, who=WHO_XYZ)
    assert created["created"] is True
    theirs = {"tenant_id": ABC, "agent_id": WHO_ABC.agent_id, "wallet_id": taken}
    with pytest.raises(ToolConflict) as across:
        await svc.host.call_tool("wallet", "create_wallet", theirs, who=WHO_ABC)
    message = str(across.value)
    assert message.endswith(f"wallet id {taken!r} is not available")
    assert XYZ not in message and WHO_XYZ.agent_id not in message
    keystore = svc.settings.home.resolve() / "keystore"
    assert not (keystore / ABC / f"{taken}.json").exists()
    assert (keystore / XYZ / f"{taken}.json").exists()
