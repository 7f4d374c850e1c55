"""The remote OpenClaw router client: the same operations as the embedded router, over HTTP.

Wire format (specs/network.md §6): JSON bodies, `Authorization: Bearer <tenant credential>`
(credentials are per tenant, never per agent), errors as `{"error": {"code", "message"}}` with
HTTP 400/403/404/429/5xx. Only the high-level projection is ever sent: the trend's summary and
sources are withheld and wallet addresses hashed here, before anything leaves the process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from servers.openclaw.models import WITHHELD, Availability, Decision, Proposal, Trend
from servers.openclaw.router import RateLimited, Refused, address_hash
from servers.runtime import InvalidArgument, NotFound, ServerError, Transient

_ERRORS: dict[int, type[ServerError]] = {
    400: InvalidArgument, 403: Refused, 404: NotFound, 429: RateLimited,
}  # fmt: skip


def _z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class RemoteRouter:
    """An HTTP client of a remote router; one bearer credential per tenant."""

    client: httpx.AsyncClient
    credentials: dict[str, str]
    """tenant id -> bearer credential."""

    async def _call(
        self, tenant_id: str, method: str, path: str, body: dict[str, Any] | None = None
    ) -> Any:
        token = self.credentials.get(tenant_id)
        if token is None:
            raise Refused(f"no network credential configured for tenant {tenant_id}")
        try:
            response = await self.client.request(
                method, path, json=body, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise Transient(f"router unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise Transient(f"router failed with HTTP {response.status_code}")
        data = response.json()
        if response.status_code >= 400:
            error = data.get("error", {})
            message = str(error.get("message", response.reason_phrase))
            if "retry_at" in error:
                message += f"; retry_at={error['retry_at']}"
            raise _ERRORS.get(response.status_code, InvalidArgument)(message)
        return data

    async def publish(
        self, tenant_id: str, agent_id: str, avail: Availability, sharing: str
    ) -> dict[str, Any]:
        """`PUT /v1/agents/{agent_id}/availability` with the shareable projection."""
        body = avail.model_dump(exclude={"wallet"}) | {"tenant_id": tenant_id, "sharing": sharing}
        if avail.wallet is not None:
            body["wallet_public_info"] = {
                "network": avail.wallet.network,
                "address_hash": address_hash(avail.wallet.address),
                "can_receive_tips": avail.wallet.can_receive_tips,
            }
        entry: dict[str, Any] = await self._call(
            tenant_id, "PUT", f"/v1/agents/{agent_id}/availability", body
        )
        return entry

    async def visible(self, tenant_id: str) -> list[dict[str, Any]]:
        """`GET /v1/directory`: agents the router lets this tenant see."""
        return list((await self._call(tenant_id, "GET", "/v1/directory"))["agents"])

    async def share(
        self,
        tenant_id: str,
        agent_id: str,
        trend: Trend,
        to: list[str] | None,
        expires_at: datetime,
    ) -> dict[str, Any]:
        """`POST /v1/signals` with the trend's high-level fields only."""
        body = {
            "from_agent_id": agent_id,
            "tenant_id": tenant_id,
            "trend": trend.model_dump(exclude=set(WITHHELD) | {"id"}),
            "intended_recipients": "broadcast" if to is None else to,
            "expires_at": _z(expires_at),
        }
        result: dict[str, Any] = await self._call(tenant_id, "POST", "/v1/signals", body)
        return result | {"withheld_fields": [f for f in WITHHELD if getattr(trend, f)]}

    async def signals(self, tenant_id: str, agent_id: str) -> list[dict[str, Any]]:
        """`GET /v1/agents/{agent_id}/signals`."""
        data = await self._call(tenant_id, "GET", f"/v1/agents/{agent_id}/signals")
        return list(data["signals"])

    async def propose(
        self, tenant_id: str, agent_id: str, to_agent_id: str, proposal: Proposal
    ) -> dict[str, Any]:
        """`POST /v1/proposals`."""
        body = {"from_agent_id": agent_id, "to_agent_id": to_agent_id, "tenant_id": tenant_id,
                "proposal": proposal.model_dump()}  # fmt: skip
        result: dict[str, Any] = await self._call(tenant_id, "POST", "/v1/proposals", body)
        return result

    async def respond(
        self,
        tenant_id: str,
        agent_id: str,
        proposal_id: str,
        decision: Decision,
        counter_terms: Proposal | None,
        reason: str,
    ) -> dict[str, Any]:
        """`POST /v1/proposals/{proposal_id}/answer`."""
        terms = counter_terms.model_dump() if counter_terms else None
        body = {"tenant_id": tenant_id, "agent_id": agent_id, "decision": decision,
                "counter_terms": terms, "reason": reason}  # fmt: skip
        path = f"/v1/proposals/{proposal_id}/answer"
        result: dict[str, Any] = await self._call(tenant_id, "POST", path, body)
        return result

    async def proposals(self, tenant_id: str, agent_id: str) -> list[dict[str, Any]]:
        """`GET /v1/agents/{agent_id}/proposals`: sent and received."""
        data = await self._call(tenant_id, "GET", f"/v1/agents/{agent_id}/proposals")
        return list(data["proposals"])
