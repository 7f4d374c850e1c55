-- The sandbox social platform: what a real platform would hold, kept in Postgres.

CREATE TABLE IF NOT EXISTS social_posts (
    post_id      text PRIMARY KEY,
    tenant_id    text NOT NULL,
    agent_id     text NOT NULL,
    platform     text NOT NULL,
    text         text NOT NULL,
    media_ids    text[] NOT NULL DEFAULT '{}',
    reply_to_id  text,
    disclosure   jsonb NOT NULL,
    scheduling   jsonb NOT NULL,
    tracking     jsonb NOT NULL DEFAULT '{}'::jsonb,
    status       text NOT NULL CHECK (status IN ('published', 'scheduled')),
    published_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS social_posts_agent ON social_posts (tenant_id, agent_id, created_at);

CREATE TABLE IF NOT EXISTS social_mentions (
    mention_id          text PRIMARY KEY,
    tenant_id           text NOT NULL,
    agent_id            text NOT NULL,
    platform            text NOT NULL,
    author_handle       text NOT NULL,
    text                text NOT NULL,
    in_reply_to_post_id text,
    created_at          timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS social_idempotency (
    tenant_id       text NOT NULL,
    idempotency_key text NOT NULL,
    tool            text NOT NULL,
    payload_hash    text NOT NULL,
    result          jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, idempotency_key)
);
