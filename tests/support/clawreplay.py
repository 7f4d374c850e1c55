"""A replay of the remote OpenClaw router's wire format (specs/network.md §6), for tests.

No remote network can be reached from here, so this in-memory router answers the documented
requests (bearer credential per tenant, JSON bodies, `{"error": {...}}` with 400/403/404/429) and
records every request body, so tests can prove what did (and did not) leave the process.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

ENTRY_KEYS = ("status", "niche", "capabilities", "current_load", "preferred_collaborations")


def _error(status: int, code: str, message: str, **extra: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, **extra}})


@dataclass
class ClawReplay:
    """Tenants by credential, a directory, inboxes and a per-agent send budget."""

    tokens: dict[str, str]
    """bearer credential -> tenant id."""
    rate: int = 30
    bodies: list[dict[str, Any]] = field(default_factory=list)
    directory: dict[str, dict[str, Any]] = field(default_factory=dict)
    inbox: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    proposals: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Serve one request (an `httpx.MockTransport` handler)."""
        tenant = self.tokens.get(request.headers.get("authorization", "").removeprefix("Bearer "))
        if tenant is None:
            return _error(403, "refused", "unknown credential")
        body = json.loads(request.content) if request.content else {}
        self.bodies.append(body)
        if body.get("tenant_id", tenant) != tenant:
            return _error(403, "refused", "tenant_id does not match the credential")
        route = f"{request.method} {request.url.path}"
        for pattern, method in self._routes():
            match = re.fullmatch(pattern, route)
            if match:
                return method(tenant, body, *match.groups())
        return _error(404, "not_found", f"no route {route}")

    def _routes(self) -> list[tuple[str, Any]]:
        return [
            (r"PUT /v1/agents/([^/]+)/availability", self._publish),
            (r"GET /v1/directory", self._directory),
            (r"POST /v1/signals", self._share),
            (r"GET /v1/agents/([^/]+)/signals", self._signals),
            (r"POST /v1/proposals", self._propose),
            (r"GET /v1/agents/([^/]+)/proposals", self._proposals),
            (r"POST /v1/proposals/([^/]+)/answer", self._answer),
        ]

    def _publish(self, tenant: str, body: dict[str, Any], agent: str) -> httpx.Response:
        entry = {k: body[k] for k in ENTRY_KEYS if k in body}
        entry |= {"agent_id": agent, "tenant_id": tenant, "sharing": body["sharing"],
                  "wallet_public_info": body.get("wallet_public_info")}  # fmt: skip
        self.directory[agent] = entry
        return httpx.Response(200, json=entry)

    def _visible(self, tenant: str) -> list[dict[str, Any]]:
        return [e for e in self.directory.values()
                if e["tenant_id"] == tenant or e["sharing"] == "network"]  # fmt: skip

    def _directory(self, tenant: str, _: dict[str, Any]) -> httpx.Response:
        return httpx.Response(200, json={"agents": self._visible(tenant)})

    def _share(self, tenant: str, body: dict[str, Any]) -> httpx.Response:
        sender = body["from_agent_id"]
        self.sent[sender] = self.sent.get(sender, 0) + 1
        if self.sent[sender] > self.rate:
            return _error(429, "rate_limited", "too many signals", retry_at="2026-02-06T10:01:00Z")
        names = {e["agent_id"] for e in self._visible(tenant)} - {sender}
        wanted = body["intended_recipients"]
        targets = names if wanted == "broadcast" else names & set(wanted)
        for agent in targets:
            self.inbox.setdefault(agent, []).append(body["trend"] | {"from_agent_id": sender})
        return httpx.Response(200, json={"signal_id": f"sig-{len(self.bodies)}",
                                         "delivered": len(targets), "ignored": 0})  # fmt: skip

    def _signals(self, tenant: str, _: dict[str, Any], agent: str) -> httpx.Response:
        if self.directory.get(agent, {}).get("tenant_id") != tenant:
            return _error(404, "not_found", f"no agent {agent}")
        return httpx.Response(200, json={"signals": self.inbox.get(agent, [])})

    def _propose(self, tenant: str, body: dict[str, Any]) -> httpx.Response:
        if body["to_agent_id"] not in {e["agent_id"] for e in self._visible(tenant)}:
            return _error(404, "not_found", f"no reachable agent {body['to_agent_id']}")
        proposal_id = f"prop-{len(self.proposals):020d}"
        self.proposals[proposal_id] = body | {"status": "pending"}
        answer = {"proposal_id": proposal_id, "to_agent_id": body["to_agent_id"]}
        return httpx.Response(200, json=answer | {"status": "pending"})

    def _proposals(self, tenant: str, _: dict[str, Any], agent: str) -> httpx.Response:
        mine = [{"proposal_id": k, **v} for k, v in self.proposals.items()
                if agent in (v["from_agent_id"], v["to_agent_id"])]  # fmt: skip
        return httpx.Response(200, json={"proposals": mine})

    def _answer(self, tenant: str, body: dict[str, Any], proposal_id: str) -> httpx.Response:
        found = self.proposals.get(proposal_id)
        if found is None or found["to_agent_id"] != body["agent_id"]:
            return _error(404, "not_found", f"no proposal {proposal_id}")
        if found["status"] != "pending":
            return _error(400, "invalid_argument", f"proposal {proposal_id} is not pending")
        found["status"] = {"accept": "accepted", "reject": "rejected"}.get(
            body["decision"], "modified"
        )
        return httpx.Response(200, json={"proposal_id": proposal_id, "status": found["status"]})
