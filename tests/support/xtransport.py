"""The two ways tests reach an `XReplay`: an httpx mock transport, or real HTTP on 127.0.0.1.

The mock transport serves in-process backends; the HTTP server serves a social server process
started with `CHIMERA_X_API_BASE` pointing at it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from tests.support.xreplay import Recorded, XReplay


def to_recorded(request: httpx.Request) -> Recorded:
    """An httpx request as the replay records it."""
    return Recorded(
        request.method,
        request.url.path,
        dict(parse_qsl(request.url.query.decode())),
        {k.lower(): v for k, v in request.headers.items()},
        request.content,
    )


def mock_transport(replay: XReplay) -> httpx.MockTransport:
    """An httpx transport answering from the replay."""

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers, body = replay.handle(to_recorded(request))
        return httpx.Response(status, headers=headers, json=body)

    return httpx.MockTransport(handler)


@contextmanager
def serve(replay: XReplay) -> Iterator[str]:
    """Serve the replay over real HTTP on a free 127.0.0.1 port; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            req = Recorded(
                self.command,
                parts.path,
                dict(parse_qsl(parts.query)),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            status, headers, body = replay.handle(req)
            data = json.dumps(body).encode()
            self.send_response(status)
            for k, v in {**headers, "content-type": "application/json"}.items():
                self.send_header(k, v)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _any

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
