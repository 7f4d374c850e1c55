-- Content calendar: a post row carries its slot and kind; a post scheduled for later also holds
-- the post_content arguments and idempotency key the outbox publishes it with. Agents can be
-- paused by an operator (agents.status 'paused').

ALTER TABLE posts
    ADD COLUMN IF NOT EXISTS kind            text NOT NULL DEFAULT 'post',
    ADD COLUMN IF NOT EXISTS publish_at      timestamptz,
    ADD COLUMN IF NOT EXISTS idempotency_key text,
    ADD COLUMN IF NOT EXISTS payload         jsonb,
    ADD COLUMN IF NOT EXISTS external_id     text,
    ADD COLUMN IF NOT EXISTS thread_id       text,
    ADD COLUMN IF NOT EXISTS claimed_at      timestamptz,
    ADD COLUMN IF NOT EXISTS error           text;
ALTER TABLE posts ADD CONSTRAINT posts_kind CHECK (kind IN ('post', 'reply'));
CREATE UNIQUE INDEX IF NOT EXISTS posts_by_key ON posts (tenant_id, idempotency_key);
CREATE INDEX IF NOT EXISTS posts_due ON posts (tenant_id, status, publish_at);
CREATE INDEX IF NOT EXISTS posts_calendar ON posts (tenant_id, agent_id, platform, publish_at);
