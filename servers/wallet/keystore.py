"""Encrypted keystore: the only place private keys exist, read only by the wallet server.

Keys are generated locally (eth-account) and written as Web3 Secret Storage JSON (scrypt) under
`<home>/keystore/<tenant_id>/<wallet_id>.json`, mode 0600, with the password from settings. The
decrypted account is kept in this process's memory only; nothing returns, logs or stores the key.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,127}$")


class KeystoreError(RuntimeError):
    """A key file is missing, unreadable or does not decrypt."""


class Keystore:
    """Per-tenant encrypted key files."""

    def __init__(self, root: Path, password: SecretStr, kdf_n: int) -> None:
        """Keep files under `root`, encrypted with `password` and scrypt cost `kdf_n`."""
        self._root = root
        self._password = password
        self._kdf_n = kdf_n
        self._unlocked: dict[tuple[str, str], LocalAccount] = {}

    def __repr__(self) -> str:
        return f"Keystore(root={str(self._root)!r})"

    def _path(self, tenant_id: str, wallet_id: str) -> Path:
        if not (_SAFE.match(tenant_id) and _SAFE.match(wallet_id)):
            raise KeystoreError("tenant_id and wallet_id must be plain identifiers")
        return self._root / tenant_id / f"{wallet_id}.json"

    async def create(self, tenant_id: str, wallet_id: str) -> str:
        """Generate a key for a new wallet, store it encrypted, return its address."""
        from eth_account import Account

        path = self._path(tenant_id, wallet_id)
        account: LocalAccount = Account.create()
        blob = await asyncio.to_thread(
            Account.encrypt,
            account.key,
            self._password.get_secret_value(),
            kdf="scrypt",
            iterations=self._kdf_n,
        )
        await asyncio.to_thread(_write_private, path, blob)
        self._unlocked[(tenant_id, wallet_id)] = account
        return str(account.address)

    async def discard(self, tenant_id: str, wallet_id: str) -> None:
        """Delete a key that was never recorded (its wallet row did not commit)."""
        self._unlocked.pop((tenant_id, wallet_id), None)
        await asyncio.to_thread(self._path(tenant_id, wallet_id).unlink, True)

    async def account(self, tenant_id: str, wallet_id: str) -> LocalAccount:
        """The unlocked account of a wallet (decrypted once per process)."""
        cached = self._unlocked.get((tenant_id, wallet_id))
        if cached is not None:
            return cached
        from eth_account import Account

        path = self._path(tenant_id, wallet_id)
        try:
            blob = json.loads(await asyncio.to_thread(path.read_text))
            key = await asyncio.to_thread(Account.decrypt, blob, self._password.get_secret_value())
        except (OSError, ValueError) as exc:
            raise KeystoreError(f"key of wallet {wallet_id!r} is unavailable") from exc
        account: LocalAccount = Account.from_key(key)
        self._unlocked[(tenant_id, wallet_id)] = account
        return account


def _write_private(path: Path, blob: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(blob, fh)
    try:
        os.link(tmp, path)  # never replaces an existing key: that would orphan its funds
    except FileExistsError:
        raise KeystoreError(f"a key for {path.stem!r} already exists") from None
    finally:
        os.unlink(tmp)
