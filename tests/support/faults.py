"""Fault-battery helpers: fresh data dirs, `chimera` subprocesses and their one-line errors."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chimera.platform.embedded import stop_services
from chimera.platform.settings import REPO_ROOT, Settings


@dataclass
class Finished:
    """A finished subprocess: exit code and decoded output."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """The JSON document printed on stdout."""
        return json.loads(self.out)


def env_for(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a subprocess using `home` (its own embedded services)."""
    return {**os.environ, "CHIMERA_HOME": str(home), **extra}


@contextmanager
def fresh_home(home: Path) -> Iterator[Settings]:
    """Settings on a new data dir; the embedded services it starts are stopped afterwards."""
    settings = Settings(home=home, agents_dir=REPO_ROOT / "agents")
    try:
        yield settings
    finally:
        stop_services(settings)


async def spawn(args: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    """Start `python <args>` in its own session (so a test can signal its whole group)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=REPO_ROOT,
        env=env,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def finish(proc: asyncio.subprocess.Process, limit_s: float = 240) -> Finished:
    """Wait for `proc` and collect its output."""
    out, err = await asyncio.wait_for(proc.communicate(), timeout=limit_s)
    return Finished(proc.returncode or 0, out.decode(), err.decode())


async def run_python(args: list[str], env: dict[str, str], limit_s: float = 240) -> Finished:
    """Run `python <args>` to completion."""
    return await finish(await spawn(args, env), limit_s)
