-- Governance (issue 5): reviewers are users, campaign revisions for OCC, review expiry defaults,
-- audit lookups by task. Additive only: earlier tables keep their columns.

CREATE UNIQUE INDEX IF NOT EXISTS users_tenant_email ON users (tenant_id, lower(email));

-- One row per campaign version after the first: which operator-visible fields changed, so the
-- judge can tell a relevant change (goal, persona constraints, thresholds) from an irrelevant one.
CREATE TABLE IF NOT EXISTS campaign_revisions (
    tenant_id   text NOT NULL REFERENCES tenants(tenant_id),
    campaign_id text NOT NULL REFERENCES campaigns(id),
    version     integer NOT NULL,
    changed     text[] NOT NULL,
    snapshot    jsonb NOT NULL,
    user_id     text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, version)
);

ALTER TABLE reviews ADD COLUMN IF NOT EXISTS default_action text NOT NULL DEFAULT 'reject'
    CHECK (default_action IN ('approve', 'reject'));
CREATE INDEX IF NOT EXISTS reviews_due ON reviews (tenant_id, expires_at) WHERE status = 'pending';

ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS user_id text;
CREATE INDEX IF NOT EXISTS audit_by_task ON audit_log (tenant_id, task_id, id);
