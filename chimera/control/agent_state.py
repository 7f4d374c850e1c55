"""Operator control of an agent: a paused agent publishes nothing and starts no run.

The state is `agents.status` (`active` or `paused`); every change is audited with its operator.
"""

from __future__ import annotations

from psycopg.types.json import Jsonb

from chimera.platform.db import Conn


class AgentNotFound(LookupError):
    """No such agent in this tenant."""


class AgentPaused(PermissionError):
    """The agent is paused by an operator; nothing starts or publishes."""


async def is_paused(conn: Conn, agent_id: str) -> bool:
    """Whether an operator paused the agent (an unknown agent is not paused)."""
    row = await (
        await conn.execute("SELECT status FROM agents WHERE id = %s", (agent_id,))
    ).fetchone()
    return row is not None and row["status"] == "paused"


async def ensure_active(conn: Conn, agent_id: str) -> None:
    """Refuse to go on for a paused agent.

    Raises:
        AgentPaused: the agent is paused.

    """
    if await is_paused(conn, agent_id):
        raise AgentPaused(f"agent {agent_id!r} is paused by an operator; resume it first")


async def set_paused(
    conn: Conn, tenant_id: str, agent_id: str, paused: bool, user_id: str
) -> dict[str, str]:
    """Pause or resume an agent and audit the intervention.

    Args:
        conn: A tenant transaction.
        tenant_id: The tenant.
        agent_id: The agent.
        paused: True to pause, False to resume.
        user_id: The operator.

    Returns:
        The agent id and its new status.

    Raises:
        AgentNotFound: the agent is not one of this tenant's.

    """
    status = "paused" if paused else "active"
    row = await (
        await conn.execute(
            "UPDATE agents SET status = %s WHERE id = %s RETURNING id", (status, agent_id)
        )
    ).fetchone()
    if row is None:
        raise AgentNotFound(f"agent {agent_id!r} not found")
    await conn.execute(
        "INSERT INTO audit_log (tenant_id, agent_id, event, detail, user_id)"
        " VALUES (%s, %s, %s, %s, %s)",
        (tenant_id, agent_id, f"agent_{'paused' if paused else 'resumed'}", Jsonb({}), user_id),
    )
    return {"agent_id": agent_id, "status": status}
