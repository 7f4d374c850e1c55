"""Bearer tokens of MCP over streamable HTTP, shared by the host (sender) and servers (verifier).

A token names a principal: its role (`host`: the Chimera runtime acting for its tenants' runs;
`tenant`: one tenant's own client; `operator`: operator tools such as the devnet faucet) and
the tenants it may act for (`*` = every tenant of this deployment). Tokens come from
`CHIMERA_MCP_TOKENS` (`role:tenants:token`, comma separated; several of one role are all
accepted, so rotation is: add the new one, move clients, drop the old one) or, when that is
unset, from a file under `CHIMERA_HOME` generated on first use (one host and one operator
token, mode 600). Reading the file blocks: call these from a thread, never on the event loop.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from chimera.platform.settings import Settings

Role = Literal["host", "tenant", "operator"]
ROLES: tuple[Role, ...] = ("host", "tenant", "operator")
ANY_TENANT = "*"


class TokenConfigError(ValueError):
    """The token configuration is malformed."""


@dataclass(frozen=True)
class Principal:
    """Who a bearer token stands for."""

    role: Role
    tenants: frozenset[str]
    token: str

    def may_act_for(self, tenant_id: str) -> bool:
        """True when the token covers `tenant_id`."""
        return ANY_TENANT in self.tenants or tenant_id in self.tenants

    @property
    def name(self) -> str:
        """A log-safe name (never the token)."""
        return f"{self.role}:{'|'.join(sorted(self.tenants))}"


def _principal(role: str, tenants: str, token: str) -> Principal:
    if role not in ROLES:
        raise TokenConfigError(f"unknown MCP token role {role!r}; use one of {ROLES}")
    names = frozenset(t.strip() for t in tenants.split("|") if t.strip())
    if not names:
        raise TokenConfigError(f"MCP {role} token names no tenant (use `*` for all)")
    if role == "tenant" and (len(names) != 1 or ANY_TENANT in names):
        raise TokenConfigError("a tenant MCP token names exactly one tenant")
    if len(token) < 16:
        raise TokenConfigError(f"MCP {role} token is shorter than 16 characters")
    return Principal(role=role, tenants=names, token=token)


def parse_tokens(text: str) -> list[Principal]:
    """Parse `role:tenants:token[,...]`.

    Raises:
        TokenConfigError: an entry is malformed.

    """
    found = []
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        parts = entry.split(":", 2)
        if len(parts) != 3:
            raise TokenConfigError("each MCP token entry is `role:tenants:token`")
        found.append(_principal(*parts))
    return found


def _token_file(settings: Settings) -> Path:
    path = settings.mcp_tokens_file
    return path if path.is_absolute() else settings.home / path


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = [
        {"role": role, "tenants": [ANY_TENANT], "token": secrets.token_urlsafe(32)}
        for role in ("host", "operator")
    ]
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process generated it first; read theirs
    with os.fdopen(fd, "w") as out:
        json.dump({"tokens": entries}, out, indent=2)


def load_tokens(settings: Settings) -> list[Principal]:
    """Every accepted token: the environment's list, else the token file (created if missing).

    Raises:
        TokenConfigError: the configuration is malformed or names no token.

    """
    if settings.mcp_tokens is not None:
        found = parse_tokens(settings.mcp_tokens.get_secret_value())
    else:
        path = _token_file(settings)
        if not path.exists():
            _generate(path)
        try:
            data = json.loads(path.read_text())
            found = [
                _principal(e["role"], "|".join(e["tenants"]), e["token"]) for e in data["tokens"]
            ]
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise TokenConfigError(f"{path}: not a Chimera MCP token file ({exc})") from exc
    if not found:
        raise TokenConfigError("no MCP token configured")
    return found


def token_for(settings: Settings, role: Role) -> str:
    """The token a client of `role` sends: the first configured one (rotation adds new ones first).

    Raises:
        TokenConfigError: no token of that role is configured.

    """
    for principal in load_tokens(settings):
        if principal.role == role:
            return principal.token
    raise TokenConfigError(f"no MCP {role} token configured (CHIMERA_MCP_TOKENS)")
