"""A perceiving agent answers a new mention at once, not at its next interval.

`chimera perceive --interval 600` in its own process, its social server a stdio child; the
mention arrives through another writer (Postgres, as the X cache or the sandbox would store
it). Proves specs/engagement.md §5.3.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import uuid
from typing import Any

import psycopg
import pytest

from chimera.platform.bootstrap import bootstrap
from chimera.platform.settings import REPO_ROOT, Settings
from tests.conftest import ETHIOPIA, subprocess_env
from tests.support.waiting import eventually_sync

pytestmark = pytest.mark.slow
XYZ = "tenant-xyz"
SAMPLE = REPO_ROOT / "servers" / "social" / "mentions" / f"{ETHIOPIA}.json"


def settle_every_mention(admin: str) -> None:
    """Leave no mention of the agent undecided (its bundled sample stored first), so only the
    mention the test adds can start an engagement run."""
    sample = json.loads(SAMPLE.read_text())
    with psycopg.connect(admin, autocommit=True) as conn:
        for m in sample:
            conn.execute(
                "INSERT INTO social_mentions (mention_id, tenant_id, agent_id, platform,"
                " author_handle, text, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (
                    m["mention_id"],
                    XYZ,
                    ETHIOPIA,
                    m["platform"],
                    m["author_handle"],
                    m["text"],
                    m["created_at"],
                ),
            )
        conn.execute(
            "INSERT INTO mention_decisions (tenant_id, agent_id, mention_id, platform,"
            " author_handle, text, status, reason, decided_at)"
            " SELECT tenant_id, agent_id, mention_id, platform, author_handle, text, 'ignored',"
            " 'settled by a test', now() FROM social_mentions WHERE agent_id = %s"
            " ON CONFLICT (tenant_id, agent_id, mention_id) DO UPDATE SET status = 'ignored'",
            (ETHIOPIA,),
        )


def decision(admin: str, mention_id: str) -> dict[str, Any] | None:
    """The ledger's row for a mention, read as the owner."""
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute(
            "SELECT status, campaign_id FROM mention_decisions WHERE mention_id = %s",
            (mention_id,),
        ).fetchone()
    return None if row is None else {"status": row[0], "campaign_id": row[1]}


class Lines:
    """The lines a process prints, collected by a thread as they come."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        assert proc.stdout is not None
        stream = proc.stdout
        threading.Thread(target=lambda: self.seen.extend(stream), daemon=True).start()

    def count(self, text: str) -> int:
        return sum(text in line for line in list(self.seen))


def test_a_new_mention_starts_an_engagement_run_long_before_the_interval(
    settings: Settings,
) -> None:
    """specs/engagement.md §5.3 (a perceiving agent answers at once)"""
    admin = bootstrap(settings).pg_admin
    settle_every_mention(admin)
    args = ["--agent", ETHIOPIA, "--interval", "600", "--relevance-threshold", "1.0"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "chimera", "perceive", *args, "--now", "2026-02-06T10:00:00Z"],
        cwd=REPO_ROOT,
        env=subprocess_env(settings, PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out = Lines(proc)
        # The agent subscribes before its first pass; that pass finds nothing to answer.
        eventually_sync(lambda: out.count("trend(s)") >= 1, 180, "the first pass")
        assert out.count("engagement run") == 0
        fresh = f"mention-now-{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO social_mentions (mention_id, tenant_id, agent_id, platform,"
                " author_handle, text, created_at) VALUES (%s, %s, %s, 'twitter', '@new.fan',"
                " 'Love the summer drop, the colours are amazing!', now())",
                (fresh, XYZ, ETHIOPIA),
            )
        decided = eventually_sync(
            lambda: (row := decision(admin, fresh)) and row["status"] != "new" and row,
            120,
            "the new mention to be decided by an engagement run (the interval is 600 s)",
        )
        assert str(decided["campaign_id"]).startswith(f"engage-{ETHIOPIA}-")
        eventually_sync(lambda: out.count("engagement run") == 1, 120, "the pass's report")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
