-- Control plane: tenants, users, agents, campaigns, threads, tasks, artifacts, reviews,
-- intents (the side-effect ledger), audit_log, trend_alerts, posts. tenant_id on every table.

CREATE TABLE IF NOT EXISTS tenants (
    tenant_id   text PRIMARY KEY,
    name        text NOT NULL,
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS users (
    id          text PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants(tenant_id),
    role        text NOT NULL CHECK (role IN ('network_operator', 'reviewer', 'admin')),
    email       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS agents (
    id          text PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants(tenant_id),
    name        text NOT NULL,
    persona_ref text NOT NULL,
    status      text NOT NULL DEFAULT 'active'
);

CREATE TABLE IF NOT EXISTS campaigns (
    id            text PRIMARY KEY,
    tenant_id     text NOT NULL REFERENCES tenants(tenant_id),
    agent_id      text NOT NULL REFERENCES agents(id),
    name          text NOT NULL,
    objective     text NOT NULL,
    budget        numeric(20, 6),
    status        text NOT NULL DEFAULT 'active',
    state_version integer NOT NULL DEFAULT 1,
    config        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS threads (
    thread_id   text PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants(tenant_id),
    agent_id    text NOT NULL,
    campaign_id text NOT NULL REFERENCES campaigns(id),
    seq         integer NOT NULL,
    status      text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'paused', 'done', 'failed')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, seq)
);

CREATE TABLE IF NOT EXISTS tasks (
    task_id     text PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants(tenant_id),
    campaign_id text NOT NULL,
    thread_id   text NOT NULL,
    task_type   text NOT NULL,
    status      text NOT NULL,
    depends_on  text[] NOT NULL DEFAULT '{}',
    payload     jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS artifacts (
    artifact_id   text PRIMARY KEY,
    tenant_id     text NOT NULL REFERENCES tenants(tenant_id),
    task_id       text NOT NULL,
    campaign_id   text NOT NULL,
    artifact_type text NOT NULL,
    payload       jsonb NOT NULL,
    decision      text,
    confidence    double precision,
    risk_category text,
    reasons       jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS reviews (
    review_id   text PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants(tenant_id),
    agent_id    text NOT NULL,
    campaign_id text NOT NULL,
    thread_id   text NOT NULL REFERENCES threads(thread_id),
    task_id     text NOT NULL,
    artifact_id text NOT NULL,
    post_id     text,
    item        jsonb NOT NULL,
    status      text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approve', 'edit', 'reject', 'respond', 'expired')),
    decision    text CHECK (decision IN ('approve', 'edit', 'reject', 'respond')),
    user_id     text,
    notes       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    decided_at  timestamptz
);
CREATE INDEX IF NOT EXISTS reviews_pending ON reviews (tenant_id, status);

CREATE TABLE IF NOT EXISTS intents (
    idempotency_key text PRIMARY KEY,
    tenant_id       text NOT NULL REFERENCES tenants(tenant_id),
    campaign_id     text NOT NULL,
    task_id         text NOT NULL,
    thread_id       text NOT NULL,
    kind            text NOT NULL,
    payload_hash    text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    result          jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS posts (
    id           text PRIMARY KEY,
    tenant_id    text NOT NULL REFERENCES tenants(tenant_id),
    agent_id     text NOT NULL,
    campaign_id  text NOT NULL,
    task_id      text NOT NULL,
    platform     text NOT NULL,
    status       text NOT NULL,
    text         text NOT NULL,
    published_at timestamptz
);

CREATE TABLE IF NOT EXISTS audit_log (
    id          bigserial PRIMARY KEY,
    tenant_id   text NOT NULL,
    agent_id    text,
    campaign_id text,
    task_id     text,
    thread_id   text,
    event       text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS audit_by_campaign ON audit_log (tenant_id, campaign_id, id);

CREATE TABLE IF NOT EXISTS trend_alerts (
    id          text PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants(tenant_id),
    agent_id    text NOT NULL,
    payload     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
