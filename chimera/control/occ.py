"""Optimistic concurrency on campaign state (ARCHITECTURE §2 judge, CONTRACTS §10.5).

Operators change a campaign's goal, persona constraints or thresholds; each change is one
conditional `UPDATE ... WHERE state_version = $v` that moves the version by one and records which
fields changed. Of N writers racing on one version exactly one commits; the others get
`VersionConflict`. The judge compares an artifact's `state_snapshot_version` with the current
version and invalidates the artifact only when a field that matters to its kind changed.
"""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from chimera.control.policy import PolicyOverrides, campaign_overrides
from chimera.platform.db import Conn

PERSONA_FIELDS = frozenset(
    {"forbidden_topics", "sensitive_topics", "ai_disclosure", "disclosure_label", "sponsor"}
)
THRESHOLD_FIELDS = frozenset({"approve_threshold", "review_threshold"})
REVIEW_FIELDS = frozenset({"review_ttl_minutes", "review_default_action"})
RELEVANT: dict[str, frozenset[str]] = {
    "publish_post": frozenset({"goal", "persona_constraints", "thresholds"}),
    "reply_comment": frozenset({"persona_constraints", "thresholds"}),
}
"""Which change groups invalidate an artifact of each task type (replies ignore the goal)."""
DEFAULT_RELEVANT = frozenset({"goal", "persona_constraints", "thresholds"})


class VersionConflict(RuntimeError):
    """The campaign moved past the version the writer read; nothing was written."""


class CampaignNotFound(LookupError):
    """No such campaign for this tenant."""


def change_groups(fields: set[str]) -> set[str]:
    """Map changed field names to the groups the judge reasons about."""
    groups = set()
    for name in fields:
        if name == "goal":
            groups.add("goal")
        elif name in PERSONA_FIELDS:
            groups.add("persona_constraints")
        elif name in THRESHOLD_FIELDS:
            groups.add("thresholds")
        elif name in REVIEW_FIELDS:
            groups.add("review")
    return groups


async def read_campaign(conn: Conn, campaign_id: str) -> dict[str, Any]:
    """The campaign row (version, objective, config).

    Raises:
        CampaignNotFound: not this tenant's campaign.

    """
    row = await (
        await conn.execute("SELECT * FROM campaigns WHERE id = %s", (campaign_id,))
    ).fetchone()
    if row is None:
        raise CampaignNotFound(f"campaign {campaign_id!r} not found for this tenant")
    return dict(row)


def _diff(row: dict[str, Any], goal: str | None, new: PolicyOverrides) -> set[str]:
    old = campaign_overrides(row["config"])
    changed = {
        name for name in PolicyOverrides.model_fields if getattr(old, name) != getattr(new, name)
    }
    if goal is not None and goal != row["objective"]:
        changed.add("goal")
    return changed


async def update_campaign(
    conn: Conn,
    campaign_id: str,
    *,
    goal: str | None,
    overrides: PolicyOverrides,
    expected_version: int | None,
    user_id: str | None,
) -> tuple[int, set[str]]:
    """Apply an operator's change; return the new version and the changed fields.

    `overrides` is merged over the campaign's current policy (topic lists grow). With no
    `expected_version`, the version read here is the one the update is conditional on.

    Raises:
        CampaignNotFound: not this tenant's campaign.
        VersionConflict: the campaign is no longer at the expected version.
        ValueError: nothing would change.

    """
    row = await read_campaign(conn, campaign_id)
    version = int(row["state_version"]) if expected_version is None else expected_version
    merged = overrides.over(campaign_overrides(row["config"]))
    changed = _diff(row, goal, merged)
    if int(row["state_version"]) != version:
        raise VersionConflict(f"campaign {campaign_id} is at version {row['state_version']}")
    if not changed:
        raise ValueError("nothing to change: the campaign already has these settings")
    policy = merged.model_dump(exclude_defaults=True)
    cur = await conn.execute(
        "UPDATE campaigns SET objective = coalesce(%s, objective),"
        " config = jsonb_set(config, '{policy}', %s), state_version = state_version + 1,"
        " updated_at = now() WHERE id = %s AND state_version = %s RETURNING state_version",
        (goal, Jsonb(policy), campaign_id, version),
    )
    moved = await cur.fetchone()
    if moved is None:
        raise VersionConflict(f"campaign {campaign_id} moved past version {version}")
    new_version = int(moved["state_version"])
    snapshot = {"goal": goal or row["objective"], "policy": policy}
    await _record_revision(conn, row, new_version, changed, snapshot, user_id)
    return new_version, changed


async def _record_revision(
    conn: Conn,
    row: dict[str, Any],
    version: int,
    changed: set[str],
    snapshot: dict[str, Any],
    user_id: str | None,
) -> None:
    await conn.execute(
        "INSERT INTO campaign_revisions (tenant_id, campaign_id, version, changed, snapshot,"
        " user_id) VALUES (%s, %s, %s, %s, %s, %s)",
        (row["tenant_id"], row["id"], version, sorted(changed), Jsonb(snapshot), user_id),
    )


async def changed_since(conn: Conn, campaign_id: str, version: int) -> set[str]:
    """Every field changed by revisions after `version`."""
    rows = await (
        await conn.execute(
            "SELECT changed FROM campaign_revisions WHERE campaign_id = %s AND version > %s",
            (campaign_id, version),
        )
    ).fetchall()
    return {name for r in rows for name in r["changed"]}


async def at_version(conn: Conn, campaign_id: str, version: int) -> bool:
    """Whether the campaign is still at `version`, holding it there until this transaction ends.

    `FOR SHARE` makes a concurrent `update_campaign` wait for the caller's commit, so what the
    caller writes in this transaction was decided against the version it checked.
    """
    row = await (
        await conn.execute(
            "SELECT state_version FROM campaigns WHERE id = %s FOR SHARE", (campaign_id,)
        )
    ).fetchone()
    return row is not None and int(row["state_version"]) == version


def relevant(task_type: str, changed: set[str]) -> set[str]:
    """The change groups that invalidate an artifact of `task_type`."""
    return change_groups(changed) & RELEVANT.get(task_type, DEFAULT_RELEVANT)
