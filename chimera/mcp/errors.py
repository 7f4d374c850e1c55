"""Typed errors of MCP calls, mapped from the `[code] message` convention of Chimera servers."""

from __future__ import annotations

import re
from datetime import datetime

_CODE = re.compile(r"\[(?P<code>[a-z_]+)\]\s*(?P<message>.*)", re.S)


class McpCallError(RuntimeError):
    """An MCP tool call or resource read failed."""

    retryable = False

    def __init__(self, server: str, target: str, message: str) -> None:
        super().__init__(f"{server}.{target}: {message}")
        self.server = server
        self.target = target
        self.message = message


class InvalidToolArguments(McpCallError):
    """The server refused the arguments; retrying cannot help."""


class ToolConflict(McpCallError):
    """An idempotency key was reused with a different payload."""


class ToolNotFound(McpCallError):
    """The object (or, for another tenant, any object) does not exist."""


class ToolNotAllowed(McpCallError):
    """The tool is not on the host's allow-list for that server."""


class TransientToolError(McpCallError):
    """A temporary failure; retried with backoff and the same idempotency key."""

    retryable = True


class ToolTimeout(TransientToolError):
    """No answer within the per-call timeout."""


class ServerUnavailable(McpCallError):
    """The server process or connection is gone."""


class ToolUnauthorized(McpCallError):
    """The platform refused the server's credentials; an operator must fix them."""


class ToolForbidden(McpCallError):
    """The server refused the caller's token for this call (tenant, role or missing token)."""


class ToolDuplicate(ToolConflict):
    """The platform refused a post as a duplicate that no idempotency key explains."""


class InvalidMedia(InvalidToolArguments):
    """A media attachment was refused (unknown id, wrong type, too large)."""


class ToolRateLimited(McpCallError):
    """The account's window or quota is spent: defer to `retry_at`, never retry at once."""

    deferrable = True

    def __init__(self, server: str, target: str, message: str) -> None:
        super().__init__(server, target, message)
        found = re.search(r"retry_at=(\S+?Z)", message)
        self.retry_at = datetime.fromisoformat(found[1].replace("Z", "+00:00")) if found else None


_BY_CODE: dict[str, type[McpCallError]] = {
    "invalid_argument": InvalidToolArguments,
    "conflict": ToolConflict,
    "not_found": ToolNotFound,
    "transient": TransientToolError,
    "unauthorized": ToolUnauthorized,
    "forbidden": ToolForbidden,
    "rate_limited": ToolRateLimited,
    "duplicate": ToolDuplicate,
    "invalid_media": InvalidMedia,
}


def from_message(server: str, target: str, text: str) -> McpCallError:
    """Map a server's error text to the typed error it declares (default: invalid arguments)."""
    match = _CODE.search(text)
    if match is None:
        return InvalidToolArguments(server, target, text.strip())
    kind = _BY_CODE.get(match["code"], McpCallError)
    return kind(server, target, match["message"].strip())
