-- Engagement ledger: one row per (tenant, agent, mention). A mention is `new` until one run
-- decides it (replied / ignored / escalated) with a conditional INSERT ... ON CONFLICT, so two
-- racing runs decide it once and the decision holds across runs, campaigns and passes.

CREATE TABLE IF NOT EXISTS mention_decisions (
    tenant_id     text NOT NULL,
    agent_id      text NOT NULL,
    mention_id    text NOT NULL,
    platform      text NOT NULL,
    author_handle text NOT NULL,
    text          text NOT NULL,
    mentioned_at  timestamptz,
    status        text NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'replied', 'ignored', 'escalated')),
    intent        text,
    reason        text,
    priority      double precision NOT NULL DEFAULT 0,
    thread_id     text,
    campaign_id   text,
    task_key      text,
    seen_at       timestamptz NOT NULL DEFAULT now(),
    decided_at    timestamptz,
    PRIMARY KEY (tenant_id, agent_id, mention_id)
);
CREATE INDEX IF NOT EXISTS mention_decisions_by_status
    ON mention_decisions (tenant_id, agent_id, status, decided_at);
