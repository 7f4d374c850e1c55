"""Checkpoint retention: finished threads are pruned so checkpoint tables do not grow forever.

A thread is a candidate when its newest root checkpoint is older than the cut-off; it is pruned
only if the campaign graph reads it as finished (nothing left to run, a report written). A
paused, running, broken or foreign-graph thread is never touched. The delete is one database
function (`chimera_prune_thread`, migration 0016) that first re-reads the thread's newest
checkpoint, so a run that resumed the thread in the meantime keeps it; the runtime role has
no other way to delete checkpoints. Pruned rows are checkpoints, checkpoint_blobs and
checkpoint_writes; the control plane (threads, reviews, audit log) keeps the run's history.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chimera.resources import Services
from chimera.runs.threads import compile_graph, thread_state

log = logging.getLogger(__name__)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dhm]?)\s*$")
_UNITS = {"d": "days", "": "days", "h": "hours", "m": "minutes"}
_KEPT = {"unfinished": "running", "new": "unknown", "broken": "unknown"}
"""How a kept thread is reported: what `thread_state` says, in retention's words."""

_CANDIDATES = "SELECT thread_id, last_id FROM chimera_prunable_threads(%s, %s)"
_PRUNE = "SELECT chimera_prune_thread(%s, %s, %s) AS n"


@dataclass
class PruneReport:
    """What a prune found and did."""

    cutoff: datetime
    dry_run: bool
    pruned: list[str] = field(default_factory=list)
    """Finished threads whose checkpoints were (or, in a dry run, would be) deleted."""
    kept: dict[str, str] = field(default_factory=dict)
    """Old threads left alone, with why (paused, running, changed)."""
    rows: int = 0
    """Checkpoint rows deleted."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {**self.__dict__, "cutoff": self.cutoff.isoformat()}


def parse_age(text: str) -> timedelta:
    """`30`, `30d`, `12h` or `90m` as a timedelta (a bare number is days).

    Raises:
        ValueError: not a non-negative number with an optional d/h/m unit.

    """
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"age must look like 30d, 12h, 90m or 30 (days), got {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})


async def prune_checkpoints(
    svc: Services,
    *,
    older_than: timedelta,
    now: datetime | None = None,
    dry_run: bool = False,
    only: list[str] | None = None,
) -> PruneReport:
    """Delete the checkpoints of finished threads last checkpointed more than `older_than` ago.

    Args:
        svc: the process's services (the checkpoint pool is used).
        older_than: retention; threads with a newer checkpoint are kept.
        now: the clock (tests move it forward instead of waiting).
        dry_run: report what would be pruned, delete nothing.
        only: restrict to these thread ids.

    """
    cutoff = (now or datetime.now(UTC)) - older_than
    report = PruneReport(cutoff=cutoff, dry_run=dry_run)
    graph = compile_graph(svc)
    async with svc.checkpoint_pool.connection() as conn:
        candidates = await (await conn.execute(_CANDIDATES, (cutoff, only))).fetchall()
    for row in candidates:
        thread_id, last_id = row["thread_id"], row["last_id"]
        state = await thread_state(graph, thread_id)
        if state != "done":
            report.kept[thread_id] = _KEPT.get(state, state)
        elif dry_run:
            report.pruned.append(thread_id)
        else:
            deleted = await _delete_thread(svc, thread_id, last_id, cutoff)
            if deleted is None:
                report.kept[thread_id] = "changed"
            else:
                report.pruned.append(thread_id)
                report.rows += deleted
    return report


async def _delete_thread(
    svc: Services, thread_id: str, last_id: str, cutoff: datetime
) -> int | None:
    """Delete one finished thread's checkpoint rows unless a newer checkpoint appeared.

    The database decides (`chimera_prune_thread`, the runtime role's only way to delete
    checkpoints): it refuses a thread that has not finished or was checkpointed after `cutoff`.
    Returns the rows deleted, or None when the thread moved on since it was listed.
    """
    async with svc.checkpoint_pool.connection() as conn:
        row = await (await conn.execute(_PRUNE, (thread_id, last_id, cutoff))).fetchone()
    return None if row is None or row["n"] is None else int(row["n"])


async def prune_periodically(svc: Services, stop: asyncio.Event) -> None:
    """Prune with the configured retention every `checkpoint_prune_interval_s` until `stop`."""
    settings = svc.settings
    if settings.checkpoint_prune_interval_s <= 0:
        return
    older_than = timedelta(days=settings.checkpoint_retention_days)
    while not stop.is_set():
        try:
            report = await prune_checkpoints(svc, older_than=older_than)
            if report.pruned:
                log.info("pruned checkpoints of %d finished threads", len(report.pruned))
        except Exception:  # a failed prune must not stop the server; it retries next interval
            log.exception("checkpoint prune failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=settings.checkpoint_prune_interval_s)
        except TimeoutError:
            continue
