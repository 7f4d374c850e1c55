"""A local model API: OpenAI, Anthropic and Ollama wire formats replayed on 127.0.0.1.

Hosted models cannot be reached from tests, so the real integration clients (langchain-openai,
langchain-anthropic, langchain-ollama) are pointed at this server through their base URL. It
answers in each provider's documented format:

- OpenAI `POST /v1/chat/completions`: `response_format: json_schema` -> the JSON as `content`;
  `tools` -> a `tool_calls` entry; a refusal -> `message.refusal`; usage `prompt_tokens` /
  `completion_tokens`; errors `{"error": {...}}` with `retry-after-ms`.
- Anthropic `POST /v1/messages`: `tools` -> a `tool_use` content block, `stop_reason: tool_use`;
  a refusal -> `stop_reason: refusal`; usage `input_tokens` / `output_tokens`; errors
  `{"type": "error", "error": {...}}`.
- Ollama `POST /api/chat`: NDJSON stream of `message` chunks, the last with `done: true`,
  `prompt_eval_count` and `eval_count`.

What to answer is chosen from the prompt (which role is asking), never from call order, because
parallel Send branches call in any order. Every request body is kept for assertions.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ROLES = {
    "You plan": "planner",
    "You write": "writer",
    "You review": "judge",
    "You decide": "relevance",
}
Answer = Callable[[str, str], Any]
"""(role, prompt) -> the structured answer (a JSON-able dict) or raw text (a str)."""


@dataclass
class Seen:
    """One request as the server received it."""

    provider: str
    role: str
    prompt: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    input_tokens: int = 0
    output_tokens: int = 0


def role_of(prompt: str) -> str:
    """Which strategy sent a prompt (from its first words)."""
    return next((role for start, role in ROLES.items() if prompt.startswith(start)), "other")


def _prompt(provider: str, body: dict[str, Any]) -> str:
    content = body["messages"][-1]["content"]
    if isinstance(content, list):  # Anthropic content blocks
        return "\n".join(b.get("text", "") for b in content if isinstance(b, dict))
    return str(content)


def _tokens(text: str) -> int:
    return max(1, len(text.split()))


@dataclass
class LlmReplay:
    """The server; use as a context manager. `faults[role]` are applied to that role's next calls.

    Fault names: `429`, `500`, `503`, `hang` (no answer until the server stops), `refusal`, and
    `text:<raw>` (answer raw text instead of the structured answer).
    """

    answer: Answer
    faults: dict[str, deque[str]] = field(default_factory=lambda: defaultdict(deque))
    seen: list[Seen] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fault(self, role: str, *names: str) -> None:
        """Queue faults for a role's next requests."""
        with self._lock:
            self.faults[role].extend(names)

    def of(self, role: str) -> list[Seen]:
        """The requests a role sent."""
        return [s for s in self.seen if s.role == role]

    def __enter__(self) -> LlmReplay:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                replay.handle(self, body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def handle(self, h: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        """Route one request by path to its provider's format."""
        provider = {"/v1/chat/completions": "openai", "/v1/messages": "anthropic"}.get(
            h.path, "ollama" if h.path == "/api/chat" else ""
        )
        if not provider:
            return _send(h, 404, {"error": {"message": f"no route {h.path}"}})
        prompt = _prompt(provider, body)
        seen = Seen(
            provider, role_of(prompt), prompt, body, {k.lower(): v for k, v in h.headers.items()}
        )
        with self._lock:
            self.seen.append(seen)
            queue = self.faults.get(seen.role)
            fault = queue.popleft() if queue else ""
        if fault == "hang":
            self._release.wait(60)
            return None
        if fault in ("429", "500", "503"):
            seen.status = int(fault)
            return _send(h, seen.status, _error(provider, seen.status), {"retry-after-ms": "1"})
        if fault == "refusal":
            return _send(h, 200, _refusal(provider, body))
        answer = fault.removeprefix("text:") if fault.startswith("text:") else None
        answer = self.answer(seen.role, prompt) if answer is None else answer
        text = answer if isinstance(answer, str) else json.dumps(answer)
        seen.input_tokens, seen.output_tokens = _tokens(prompt), _tokens(text)
        if provider == "ollama":
            return _ollama(h, body, text, seen)
        builder = _openai if provider == "openai" else _anthropic
        return _send(h, 200, builder(body, answer, text, seen))


def _send(
    h: BaseHTTPRequestHandler, status: int, payload: Any, headers: dict[str, str] | None = None
) -> None:
    data = json.dumps(payload).encode()
    h.send_response(status)
    h.send_header("content-type", "application/json")
    h.send_header("content-length", str(len(data)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(data)


def _error(provider: str, status: int) -> dict[str, Any]:
    kind, message = {
        429: ("rate_limit_error", "Rate limit reached, retry later."),
        500: ("api_error", "Internal server error."),
        503: ("overloaded_error", "Overloaded."),
    }[status]
    if provider == "anthropic":
        return {"type": "error", "error": {"type": kind, "message": message}}
    if provider == "ollama":
        return {"error": message}
    return {"error": {"message": message, "type": kind, "param": None, "code": kind}}


def _openai(body: dict[str, Any], answer: Any, text: str, seen: Seen) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
    finish = "stop"
    if body.get("tools") and not isinstance(answer, str):
        name = body["tools"][0]["function"]["name"]
        call = {"id": "call_replay_1", "type": "function", "function": {"name": name}}
        call["function"]["arguments"] = text
        message |= {"content": None, "tool_calls": [call]}
        finish = "tool_calls"
    return {
        "id": "chatcmpl-replay",
        "object": "chat.completion",
        "created": 1_780_000_000,
        "model": body["model"],
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": seen.input_tokens,
            "completion_tokens": seen.output_tokens,
            "total_tokens": seen.input_tokens + seen.output_tokens,
        },
    }


def _anthropic(body: dict[str, Any], answer: Any, text: str, seen: Seen) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": text}]
    stop = "end_turn"
    if body.get("tools") and not isinstance(answer, str):
        name = body["tools"][0]["name"]
        content = [{"type": "tool_use", "id": "toolu_replay_1", "name": name, "input": answer}]
        stop = "tool_use"
    return {
        "id": "msg_replay",
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": seen.input_tokens, "output_tokens": seen.output_tokens},
    }


def _refusal(provider: str, body: dict[str, Any]) -> dict[str, Any]:
    sorry = "I can't help with that request."
    if provider == "anthropic":
        return {
            "id": "msg_replay",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [{"type": "text", "text": sorry}],
            "stop_reason": "refusal",
            "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 7},
        }
    message = {"role": "assistant", "content": None, "refusal": sorry}
    return {
        "id": "chatcmpl-replay",
        "object": "chat.completion",
        "created": 1_780_000_000,
        "model": body["model"],
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 7, "total_tokens": 17},
    }


def _ollama(h: BaseHTTPRequestHandler, body: dict[str, Any], text: str, seen: Seen) -> None:
    at = "2026-12-04T10:00:00Z"
    chunks = [
        {
            "model": body["model"],
            "created_at": at,
            "message": {"role": "assistant", "content": text},
            "done": False,
        },
        {
            "model": body["model"],
            "created_at": at,
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": "stop",
            "total_duration": 1000,
            "prompt_eval_count": seen.input_tokens,
            "eval_count": seen.output_tokens,
        },
    ]
    if not body.get("stream", True):
        final = chunks[1] | {"message": chunks[0]["message"]}
        return _send(h, 200, final)
    data = b"".join(json.dumps(c).encode() + b"\n" for c in chunks)
    h.send_response(200)
    h.send_header("content-type", "application/x-ndjson")
    h.send_header("content-length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)
    return None
