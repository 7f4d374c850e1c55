-- Perception: trend alerts get their topic, score, untrusted-input flag and what the perception
-- loop decided about them (started a campaign run, or ignored under the relevance threshold).

ALTER TABLE trend_alerts
    ADD COLUMN IF NOT EXISTS topic       text,
    ADD COLUMN IF NOT EXISTS score       double precision,
    ADD COLUMN IF NOT EXISTS flagged     integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS status      text NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'ignored', 'started')),
    ADD COLUMN IF NOT EXISTS campaign_id text,
    ADD COLUMN IF NOT EXISTS decided_at  timestamptz;
CREATE INDEX IF NOT EXISTS trend_alerts_by_agent ON trend_alerts (tenant_id, agent_id, created_at);
