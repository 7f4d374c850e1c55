-- Campaign media budgets: the cap on a campaign's media generation spend (from its policy's
-- `media_budget_usd`) with the running committed amount (the row a media reservation
-- conditionally updates), and one hold per generation seed so a re-executed worker reuses its
-- reservation instead of reserving twice.

CREATE TABLE IF NOT EXISTS campaign_media_budgets (
    tenant_id      text NOT NULL,
    campaign_id    text NOT NULL,
    max_usd        numeric(12, 4) NOT NULL CHECK (max_usd >= 0),
    committed_usd  numeric(12, 4) NOT NULL DEFAULT 0 CHECK (committed_usd >= 0),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, campaign_id)
);

CREATE TABLE IF NOT EXISTS media_holds (
    tenant_id    text NOT NULL,
    campaign_id  text NOT NULL,
    seed         text NOT NULL,
    plan         text NOT NULL,
    estimated_usd numeric(12, 4) NOT NULL CHECK (estimated_usd >= 0),
    actual_usd   numeric(12, 4),
    status       text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'settled')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, seed)
);
