-- The X backend: where a post lives on X, publishes in flight, posts deferred by rate limits.

-- The platform's own id and URL of a post (X's tweet id); null on the sandbox.
ALTER TABLE social_posts ADD COLUMN IF NOT EXISTS external_id text;
ALTER TABLE social_posts ADD COLUMN IF NOT EXISTS url text;
ALTER TABLE social_posts DROP CONSTRAINT IF EXISTS social_posts_status_check;
ALTER TABLE social_posts ADD CONSTRAINT social_posts_status_check
    CHECK (status IN ('published', 'scheduled', 'failed'));

-- Where a mention came from: the bundled sample ('sandbox') or the X API ('x').
ALTER TABLE social_mentions ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT 'sandbox';
CREATE INDEX IF NOT EXISTS social_mentions_agent
    ON social_mentions (tenant_id, agent_id, source, created_at);

-- 'pending' while a publish to an external platform is in flight (sandbox writes are 'done').
ALTER TABLE social_idempotency ADD COLUMN IF NOT EXISTS state text NOT NULL DEFAULT 'done';

-- Posts deferred until a rate-limit window or monthly cap resets, then published by the server.
CREATE TABLE IF NOT EXISTS social_x_outbox (
    tenant_id       text NOT NULL,
    idempotency_key text NOT NULL,
    post_id         text NOT NULL,
    post            jsonb NOT NULL,
    due_at          timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    status          text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'done', 'failed')),
    last_error      text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS social_x_outbox_due ON social_x_outbox (tenant_id, status, due_at);
