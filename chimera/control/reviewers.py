"""Reviewers are users: who may decide a review, and the tenant's user directory.

Users belong to one tenant (CONTRACTS §3.2: role network_operator, reviewer or admin). Row-level
security already hides other tenants' users, so a user of another tenant is simply unknown here.
Only reviewers and admins may decide reviews; operators and admins may change campaigns.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from chimera.platform.db import Conn
from chimera.platform.ids import stable_id

Role = Literal["network_operator", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("network_operator", "reviewer", "admin")
REVIEW_ROLES = frozenset({"reviewer", "admin"})
OPERATOR_ROLES = frozenset({"network_operator", "admin"})
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")


class NotAuthorized(PermissionError):
    """The user is unknown to this tenant or lacks the role the action needs."""


def default_reviewer_email(tenant_id: str) -> str:
    """The email of the reviewer seeded for every tenant with a persona (`make run` works)."""
    return f"reviewer@{tenant_id}.local"


def user_id_for(tenant_id: str, email: str) -> str:
    """A stable user id from tenant and (case-folded) email."""
    return stable_id("user", tenant_id, email.strip().lower())


async def add_user(conn: Conn, tenant_id: str, email: str, role: str) -> dict[str, Any]:
    """Create a user, or change the role of an existing one (same tenant and email).

    Raises:
        ValueError: malformed email or unknown role.

    """
    email = email.strip()
    if not _EMAIL.match(email):
        raise ValueError(f"not an email address: {email!r}")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}; got {role!r}")
    row = await (
        await conn.execute(
            "INSERT INTO users (id, tenant_id, role, email) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET role = excluded.role RETURNING *",
            (user_id_for(tenant_id, email), tenant_id, role, email.lower()),
        )
    ).fetchone()
    assert row is not None
    return dict(row)


async def seed_default_reviewer(conn: Conn, tenant_id: str) -> None:
    """Ensure the tenant's default reviewer exists (never changes an existing user's role)."""
    email = default_reviewer_email(tenant_id)
    await conn.execute(
        "INSERT INTO users (id, tenant_id, role, email) VALUES (%s, %s, 'reviewer', %s)"
        " ON CONFLICT (id) DO NOTHING",
        (user_id_for(tenant_id, email), tenant_id, email),
    )


async def find_user(conn: Conn, ref: str) -> dict[str, Any] | None:
    """A user of the current tenant by id or email, or None."""
    row = await (
        await conn.execute(
            "SELECT * FROM users WHERE id = %s OR lower(email) = lower(%s)", (ref, ref)
        )
    ).fetchone()
    return None if row is None else dict(row)


async def list_users(conn: Conn) -> list[dict[str, Any]]:
    """The current tenant's users."""
    rows = await (await conn.execute("SELECT * FROM users ORDER BY email")).fetchall()
    return [dict(r) for r in rows]


async def authorize(conn: Conn, ref: str | None, roles: frozenset[str]) -> dict[str, Any]:
    """The user `ref` if it exists in this tenant with one of `roles`.

    Raises:
        NotAuthorized: no user given, unknown to this tenant, or without the role.

    """
    if not ref:
        raise NotAuthorized("a user id or email is required for this decision")
    user = await find_user(conn, ref)
    if user is None:
        raise NotAuthorized(f"user {ref!r} not found for this tenant")
    if user["role"] not in roles:
        raise NotAuthorized(
            f"user {user['email']} has role {user['role']}; needs {' or '.join(sorted(roles))}"
        )
    return user
