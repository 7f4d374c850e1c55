-- The media server's assets: generated images and clips, one row per idempotency key.

CREATE TABLE IF NOT EXISTS media_assets (
    asset_id               text PRIMARY KEY,
    tenant_id              text NOT NULL,
    agent_id               text NOT NULL,
    kind                   text NOT NULL CHECK (kind IN ('image', 'video')),
    tool                   text NOT NULL,
    tier                   text CHECK (tier IN ('daily', 'hero')),
    model                  text NOT NULL,
    character_reference_id text,
    source_asset_id        text,
    path                   text NOT NULL,
    mime_type              text NOT NULL,
    bytes                  integer NOT NULL,
    width                  integer NOT NULL,
    height                 integer NOT NULL,
    frames                 integer NOT NULL DEFAULT 1,
    estimated_cost_usd     numeric(12, 4) NOT NULL,
    idempotency_key        text NOT NULL,
    payload_hash           text NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS media_assets_agent ON media_assets (tenant_id, agent_id, created_at);
