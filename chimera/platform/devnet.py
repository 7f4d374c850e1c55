"""The local EVM devnet: anvil (from npm `@foundry-rs/anvil`) started or reused under CHIMERA_HOME.

Like the embedded Postgres and Redis, the devnet is found through a pid file and a recorded RPC
URL, so a second process reuses the running node instead of starting a rival. anvil listens on
a free 127.0.0.1 port with chain id 84532 (Base Sepolia's) and persists its state to
`<home>/anvil/anvil-state.json`. The devnet USDC (an ERC-20 with 6 decimals, compiled once into
`servers/wallet/contracts/DevUSDC.json`) is deployed the first time and its address recorded.
When no anvil binary exists (no Node), `ensure_chain` returns None and the wallet server runs an
in-process eth-tester chain instead. Blocking functions: call them in `asyncio.to_thread`.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chimera.platform.locks import file_lock
from chimera.platform.settings import REPO_ROOT, Settings

CONTRACT = REPO_ROOT / "servers" / "wallet" / "contracts" / "DevUSDC.json"
_LISTENING = re.compile(r"Listening on (127\.0\.0\.1:\d+)")


class ChainError(RuntimeError):
    """The devnet could not be started, reached or prepared."""


@dataclass(frozen=True)
class ChainInfo:
    """Where the chain is and where its USDC lives."""

    rpc_url: str
    chain_id: int
    usdc_address: str
    embedded: bool


def anvil_binary() -> Path | None:
    """The anvil binary installed by `npm ci`, if any."""
    found = sorted((REPO_ROOT / "node_modules" / "@foundry-rs").glob("anvil-*/bin/anvil"))
    return found[0] if found and os.access(found[0], os.X_OK) else None


def _dir(settings: Settings) -> Path:
    return settings.home.resolve() / "anvil"


def _pid(settings: Settings) -> int | None:
    try:
        pid = int((_dir(settings) / "anvil.pid").read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _rpc(url: str, method: str, *params: Any, timeout: float = 10) -> Any:
    """One JSON-RPC call (plain HTTP: importing web3 costs seconds, too slow for bootstrap)."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        reply = json.loads(response.read())
    if "error" in reply:
        raise ChainError(f"{method}: {reply['error']}")
    return reply["result"]


def _rpc_ok(url: str, chain_id: int) -> bool:
    try:
        return int(_rpc(url, "eth_chainId", timeout=2), 16) == chain_id
    except (OSError, ValueError, ChainError):
        return False


def _running_url(settings: Settings) -> str | None:
    rpc_file = _dir(settings) / "rpc_url"
    if _pid(settings) is None or not rpc_file.exists():
        return None
    url = rpc_file.read_text().strip()
    return url if _rpc_ok(url, settings.chain_id) else None


def _start_anvil(settings: Settings, binary: Path) -> str:
    base = _dir(settings)
    base.mkdir(parents=True, exist_ok=True)
    log_path = base / "anvil.log"
    cmd = [
        str(binary),
        *("--host", "127.0.0.1", "--port", "0", "--chain-id", str(settings.chain_id)),
        *("--state", str(base / "anvil-state.json"), "--state-interval", "2"),
    ]
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    (base / "anvil.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        match = _LISTENING.search(log_path.read_text())
        if match:
            url = f"http://{match.group(1)}"
            if _rpc_ok(url, settings.chain_id):
                (base / "rpc_url").write_text(url)
                return url
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise ChainError(f"anvil did not start; see {log_path}")


def _deploy_usdc(url: str, record: Path, key: str) -> str:
    known: dict[str, Any] = json.loads(record.read_text()) if record.exists() else {}
    address = known.get(key)
    if address and _rpc(url, "eth_getCode", address, "latest") not in ("0x", "0x0"):
        return str(address)
    spec = json.loads(CONTRACT.read_text())
    deployer = _rpc(url, "eth_accounts")[0]
    tx_hash = _rpc(
        url, "eth_sendTransaction", {"from": deployer, "data": spec["bytecode"], "gas": "0x200000"}
    )
    deadline = time.monotonic() + 20
    receipt = None
    while receipt is None and time.monotonic() < deadline:
        receipt = _rpc(url, "eth_getTransactionReceipt", tx_hash)
        if receipt is None:
            time.sleep(0.05)
    if receipt is None or int(receipt["status"], 16) != 1:
        raise ChainError(f"USDC deployment failed: {receipt}")
    address = str(receipt["contractAddress"])
    record.write_text(json.dumps({**known, key: address}))
    return address


def ensure_chain(settings: Settings) -> ChainInfo | None:
    """Start or reuse the devnet and its USDC; None when the in-process fallback applies.

    Raises:
        ChainError: anvil was required (or configured) but could not be started or prepared.

    """
    binary = anvil_binary()
    if settings.chain_rpc_url is None and (
        settings.chain == "eth-tester" or (settings.chain == "auto" and binary is None)
    ):
        return None
    if settings.chain_rpc_url is None and binary is None:
        raise ChainError("CHIMERA_CHAIN=anvil but no anvil binary: run `npm ci`")
    with file_lock(settings.home.resolve() / "anvil.lock"):
        url = settings.chain_rpc_url
        recorded = _dir(settings) / "rpc_url"
        embedded = url is None or (recorded.exists() and recorded.read_text().strip() == url)
        if url is None:
            assert binary is not None
            url = _running_url(settings) or _start_anvil(settings, binary)
        try:
            record = settings.home.resolve() / "devnet-usdc.json"
            usdc = _deploy_usdc(url, record, "embedded" if embedded else url)
        except Exception as exc:
            raise ChainError(f"cannot deploy the devnet USDC on {url}: {exc}") from exc
    return ChainInfo(url, settings.chain_id, usdc, embedded)


def chain_status(settings: Settings) -> tuple[bool, str]:
    """Whether the embedded devnet runs, and where (never starts it)."""
    if settings.chain_rpc_url:
        return True, "external (CHIMERA_CHAIN_RPC_URL)"
    if anvil_binary() is None:
        return False, "no anvil binary: the wallet server uses in-process eth-tester"
    url = _running_url(settings)
    return url is not None, url or str(_dir(settings))


def stop_chain(settings: Settings) -> list[str]:
    """Stop the embedded anvil of this home (it dumps its state on exit)."""
    pid = _pid(settings) if settings.chain_rpc_url is None else None
    if pid is None:
        return []
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not _gone(pid):
        time.sleep(0.05)
    return ["anvil"]


def _gone(pid: int) -> bool:
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our child: reap it (no zombie)
            return True
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        return True
    return False
