-- Sandbox outbox: a scheduled post keeps its due time in a column (the outbox's conditional
-- update), and a scheduled post can be cancelled before it goes out.

ALTER TABLE social_posts ADD COLUMN IF NOT EXISTS publish_at timestamptz;
UPDATE social_posts SET publish_at = (scheduling->>'publish_at')::timestamptz
    WHERE status = 'scheduled' AND publish_at IS NULL;
ALTER TABLE social_posts DROP CONSTRAINT IF EXISTS social_posts_status_check;
ALTER TABLE social_posts ADD CONSTRAINT social_posts_status_check
    CHECK (status IN ('published', 'scheduled', 'cancelled'));
CREATE INDEX IF NOT EXISTS social_posts_due ON social_posts (tenant_id, status, publish_at);
