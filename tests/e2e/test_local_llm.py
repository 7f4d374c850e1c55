"""A whole campaign against a real open model on a local OpenAI-compatible server (specs/llm.md
§6.1). Opt-in: building llama.cpp from source takes longer than a test run may (see README)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chimera.platform.settings import REPO_ROOT, Settings
from tests.conftest import subprocess_env

pytestmark = [
    pytest.mark.local_llm,
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("CHIMERA_TEST_LOCAL_LLM") != "1",
        reason="set CHIMERA_TEST_LOCAL_LLM=1 (builds llama.cpp; see specs/llm.md §6.1)",
    ),
]

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import local_llm  # noqa: E402


def test_a_campaign_completes_against_gemma_on_a_local_llama_cpp_server(settings: Settings) -> None:
    """specs/llm.md §6.1, §5.1"""
    server, env = local_llm.serve(local_llm.setup())
    try:
        chimera = str(Path(sys.executable).parent / "chimera")
        run = subprocess.run(
            [
                *(chimera, "run", "--agent", "agent-ethiopia-fashion-001", "--json"),
                *("--goal", "Promote the new summer linen scarves on TikTok."),
                *("--campaign", "cmp-local-llm"),
            ],
            env=subprocess_env(settings, **env),
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        summary = json.loads(run.stdout)
        assert summary["tasks"] and summary["state"] in ("done", "paused")
        usage = subprocess.run(
            [chimera, "campaign", "usage", "cmp-local-llm", "--tenant", "tenant-xyz", "--json"],
            env=subprocess_env(settings, **env),
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        rows = json.loads(usage.stdout)
        assert {r["role"] for r in rows} >= {"planner", "writer"}
        assert all(r["input_tokens"] > 0 for r in rows)
    finally:
        server.terminate()
        server.wait(timeout=30)
