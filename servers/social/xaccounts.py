"""Which X account a tenant (or one of its agents) posts through, chosen per call.

One social server serves many tenants, so the X credentials cannot belong to the process. The
operator's accounts file (`CHIMERA_X_ACCOUNTS_FILE`, JSON, owner-only permissions) maps
`tenant_id` or `tenant_id/agent_id` to OAuth 1.0a user tokens or an OAuth 2.0 user bearer token.
The single `CHIMERA_X_*` credential set serves only the tenants named in
`CHIMERA_X_DEFAULT_TENANTS`. A tenant with neither is refused as `unauthorized`: it never falls
back to another tenant's account. Secrets stay in `SecretStr` and `repr=False` fields, and no
error message quotes the file's values.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from chimera.platform.settings import Settings
from servers.social.errors import Unauthorized
from servers.social.xauth import Bearer, OAuth1, OAuth1Credentials

NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}(/[A-Za-z0-9][A-Za-z0-9_.\-]{0,127})?$"
"""An entry's name: `tenant_id`, or `tenant_id/agent_id`."""


class AccountsFileError(ValueError):
    """The accounts file (or the env credential set) cannot be used; the server refuses to start."""


class OAuth1Entry(BaseModel):
    """A user's OAuth 1.0a tokens; the app's consumer keys default to CHIMERA_X_CONSUMER_*."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    access_token: SecretStr = Field(min_length=1)
    access_token_secret: SecretStr = Field(min_length=1)
    consumer_key: SecretStr | None = None
    consumer_secret: SecretStr | None = None


class AccountEntry(BaseModel):
    """One X account: OAuth 1.0a user tokens or an OAuth 2.0 user bearer token (exactly one)."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    oauth1: OAuth1Entry | None = None
    bearer_token: SecretStr | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> AccountEntry:
        if (self.oauth1 is None) == (self.bearer_token is None):
            raise ValueError("give exactly one of `oauth1` or `bearer_token`")
        return self


class AccountsFile(BaseModel):
    """The file's shape: `{"accounts": {"<tenant>[/<agent>]": AccountEntry}}`."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    accounts: dict[str, AccountEntry]

    @model_validator(mode="after")
    def _names(self) -> AccountsFile:
        bad = [n for n in self.accounts if not re.fullmatch(NAME, n)]
        if bad:
            raise ValueError(f"entry names must be `tenant_id` or `tenant_id/agent_id`: {bad}")
        return self


@dataclass(frozen=True)
class XCredential:
    """The auth of one X account, and a non-secret reference naming it in caches and logs."""

    source: str
    """Where it came from: the accounts-file entry name, or `env`."""
    ref: str
    """First 16 hex digits of the SHA-256 of the user token (names the `users/me` cache)."""
    auth: httpx.Auth = field(repr=False, compare=False)


def _ref(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def _oauth1(source: str, creds: OAuth1Credentials) -> XCredential:
    return XCredential(source, _ref(creds.token), OAuth1(creds))


def _bearer(source: str, token: str) -> XCredential:
    return XCredential(source, _ref(token), Bearer(token))


def env_credential(settings: Settings) -> XCredential | None:
    """The CHIMERA_X_* set: OAuth 1.0a if all four are set, else the bearer token, else None."""
    parts = (
        settings.x_consumer_key,
        settings.x_consumer_secret,
        settings.x_access_token,
        settings.x_access_token_secret,
    )
    if all(p is not None for p in parts):
        values = [p.get_secret_value() for p in parts if p is not None]
        return _oauth1("env", OAuth1Credentials(*values))
    if settings.x_bearer_token is not None:
        return _bearer("env", settings.x_bearer_token.get_secret_value())
    return None


def entry_credential(name: str, entry: AccountEntry, settings: Settings) -> XCredential:
    """An accounts-file entry as a credential (consumer keys from the entry or the settings).

    Raises:
        AccountsFileError: an OAuth 1.0a entry has no consumer keys anywhere.

    """
    if entry.bearer_token is not None:
        return _bearer(name, entry.bearer_token.get_secret_value())
    oauth1 = entry.oauth1
    key = (oauth1.consumer_key or settings.x_consumer_key) if oauth1 else None
    secret = (oauth1.consumer_secret or settings.x_consumer_secret) if oauth1 else None
    if oauth1 is None or key is None or secret is None:
        raise AccountsFileError(
            f"X accounts entry {name!r}: OAuth 1.0a needs consumer_key and consumer_secret"
            " (in the entry, or CHIMERA_X_CONSUMER_KEY and CHIMERA_X_CONSUMER_SECRET)"
        )
    token = oauth1.access_token.get_secret_value()
    token_secret = oauth1.access_token_secret.get_secret_value()
    creds = OAuth1Credentials(
        key.get_secret_value(), secret.get_secret_value(), token, token_secret
    )
    return _oauth1(name, creds)


def read_accounts_file(path: Path) -> AccountsFile:
    """Blocking: parse the accounts file, refusing it if group or others may read or write it.

    Raises:
        AccountsFileError: missing, too open, not JSON or not the documented shape (the message
            names the fields at fault, never their values).

    """
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise AccountsFileError(f"X accounts file {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AccountsFileError(
            f"X accounts file {path} is open to group or others"
            f" (mode {stat.filemode(mode)}); it holds secrets: chmod 600 {path}"
        )
    try:
        return AccountsFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise AccountsFileError(
            f"X accounts file {path}: not JSON (line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()
        )
        raise AccountsFileError(f"X accounts file {path}: {where}") from None


class XAccounts:
    """The X credential of each tenant (and agent), resolved per call."""

    def __init__(
        self,
        entries: Mapping[str, XCredential],
        default: XCredential | None = None,
        default_tenants: frozenset[str] = frozenset(),
    ) -> None:
        """`entries` by `tenant` or `tenant/agent`; `default` serves only `default_tenants`."""
        self.entries = dict(entries)
        self.default = default
        self.default_tenants = default_tenants

    def __repr__(self) -> str:
        """Entry names only."""
        names, tenants = sorted(self.entries), sorted(self.default_tenants)
        return f"XAccounts(entries={names}, default_tenants={tenants})"

    def resolve(self, tenant_id: str, agent_id: str | None = None) -> XCredential:
        """The agent's own account, else its tenant's, else the env set if it serves the tenant.

        Raises:
            Unauthorized: no X account is configured for the tenant (or the agent).

        """
        if agent_id:
            found = self.entries.get(f"{tenant_id}/{agent_id}")
            if found is not None:
                return found
        found = self.entries.get(tenant_id)
        if found is not None:
            return found
        if self.default is not None and tenant_id in self.default_tenants:
            return self.default
        raise Unauthorized(f"no X account configured for tenant {tenant_id!r}")


def accounts_from(settings: Settings, file: AccountsFile | None = None) -> XAccounts:
    """Build the accounts from a parsed file and the env set (no I/O).

    Raises:
        AccountsFileError: no account at all, or the env set without the tenants it serves.

    """
    default = env_credential(settings)
    tenants = frozenset(settings.x_default_tenants)
    if default is not None and not tenants:
        raise AccountsFileError(
            "the CHIMERA_X_* credentials are set but serve no tenant: list the tenants they"
            " post for in CHIMERA_X_DEFAULT_TENANTS (comma list)"
        )
    if default is None and tenants:
        raise AccountsFileError(
            "CHIMERA_X_DEFAULT_TENANTS is set but the CHIMERA_X_* credentials are not: set"
            " CHIMERA_X_BEARER_TOKEN or the four OAuth 1.0a settings"
        )
    entries = {
        name: entry_credential(name, entry, settings)
        for name, entry in (file.accounts if file else {}).items()
    }
    if not entries and default is None:
        raise AccountsFileError(
            "CHIMERA_SOCIAL_BACKEND=x needs X accounts: CHIMERA_X_ACCOUNTS_FILE, or"
            " CHIMERA_X_BEARER_TOKEN / the four OAuth 1.0a settings with CHIMERA_X_DEFAULT_TENANTS"
        )
    return XAccounts(entries, default, tenants)


def accounts_path(settings: Settings) -> Path | None:
    """The accounts file (a relative path is under CHIMERA_HOME), if configured."""
    if settings.x_accounts_file is None:
        return None
    return settings.home / settings.x_accounts_file


async def load_accounts(settings: Settings) -> XAccounts:
    """Read the accounts file off the event loop and build the accounts.

    Raises:
        AccountsFileError: see `read_accounts_file` and `accounts_from`.

    """
    path = accounts_path(settings)
    file = await asyncio.to_thread(read_accounts_file, path) if path is not None else None
    return accounts_from(settings, file)
