"""Who an API key of the LangGraph server speaks for: a tenant and, optionally, one of its users.

`CHIMERA_API_KEYS` maps each key to `tenant` (the key acts for the tenant) or `tenant:user`
(it also acts as that user, named by email or user id). `chimera/serving/auth.py` puts the parsed
principal on the authenticated LangGraph user, and LangGraph hands that user to every run in
`config["configurable"]["langgraph_auth_user"]`; the review node reads the reviewer from there
when a resume value names none. The user is only a claim: the node still checks in Postgres
that it exists in the run's tenant with the reviewer or admin role.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

TENANT_KEY = "tenant_id"
"""Field of the authenticated LangGraph user holding the tenant id."""
USER_KEY = "user_ref"
"""Field of the authenticated LangGraph user holding the bound user (email or id), if any."""
AUTH_USER = "langgraph_auth_user"
"""Where langgraph-api puts the authenticated user in a run's `configurable`."""


@dataclass(frozen=True)
class Principal:
    """The tenant an API key acts for, and the user it acts as (None: tenant only)."""

    tenant_id: str
    user: str | None = None


def parse_principal(value: str) -> Principal:
    """Parse a `CHIMERA_API_KEYS` value: `tenant` or `tenant:user`.

    Raises:
        ValueError: empty tenant, or a `:` with no user after it.

    """
    tenant, sep, user = (part.strip() for part in value.partition(":"))
    if not tenant:
        raise ValueError(f"API key value {value!r} names no tenant (use 'tenant' or 'tenant:user')")
    if sep and not user:
        raise ValueError(f"API key value {value!r} has ':' but no user after it")
    return Principal(tenant, user or None)


def _field(user: Any, name: str) -> Any:
    """A field of the LangGraph user: a dict, or the server's dict-backed user object."""
    if isinstance(user, Mapping):
        return user.get(name)
    try:
        return user[name] if name in user else None  # noqa: SIM401 (ProxyUser has no .get)
    except (TypeError, KeyError):
        return None


def server_principal(config: RunnableConfig) -> Principal | None:
    """The API key's principal of the run's authenticated server user; None outside the server.

    A LangGraph Studio user, or an in-process run (CLI, notebooks), has no principal.
    """
    user = (config.get("configurable") or {}).get(AUTH_USER)
    if user is None:
        return None
    tenant, ref = _field(user, TENANT_KEY), _field(user, USER_KEY)
    if not isinstance(tenant, str) or not tenant:
        return None
    return Principal(tenant, ref if isinstance(ref, str) and ref else None)
