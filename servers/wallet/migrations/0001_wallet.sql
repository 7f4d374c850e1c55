-- The wallet server's tables: wallets (addresses only, never key material), per-campaign budgets
-- with running totals (the one row a reservation conditionally updates), and transactions, whose
-- (tenant_id, idempotency_key) is the idempotency record of send_transaction.

CREATE TABLE IF NOT EXISTS wallets (
    wallet_id   text PRIMARY KEY,
    tenant_id   text NOT NULL,
    agent_id    text NOT NULL,
    network     text NOT NULL,
    address     text NOT NULL UNIQUE CHECK (address ~ '^0x[0-9a-fA-F]{40}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS wallets_agent_network ON wallets (tenant_id, agent_id, network, created_at);

CREATE TABLE IF NOT EXISTS wallet_budgets (
    tenant_id          text NOT NULL,
    campaign_id        text NOT NULL,
    asset              text NOT NULL,
    max_per_tx         numeric(38, 18) NOT NULL CHECK (max_per_tx >= 0),
    max_daily          numeric(38, 18) NOT NULL CHECK (max_daily >= 0),
    max_campaign_total numeric(38, 18) NOT NULL CHECK (max_campaign_total >= 0),
    spend_day          date NOT NULL DEFAULT (now() AT TIME ZONE 'utc')::date,
    spent_today        numeric(38, 18) NOT NULL DEFAULT 0 CHECK (spent_today >= 0),
    spent_total        numeric(38, 18) NOT NULL DEFAULT 0 CHECK (spent_total >= 0),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, campaign_id, asset),
    CHECK (spent_total <= max_campaign_total)
);

CREATE TABLE IF NOT EXISTS wallet_transactions (
    tx_id           text PRIMARY KEY,
    tenant_id       text NOT NULL,
    idempotency_key text NOT NULL,
    payload_hash    text NOT NULL,
    wallet_id       text NOT NULL REFERENCES wallets(wallet_id),
    agent_id        text NOT NULL,
    campaign_id     text NOT NULL,
    network         text NOT NULL,
    asset           text NOT NULL,
    amount          numeric(38, 18) NOT NULL CHECK (amount > 0),
    to_address      text NOT NULL,
    purpose         text NOT NULL,
    direction       text NOT NULL DEFAULT 'out' CHECK (direction IN ('in', 'out')),
    status          text NOT NULL
                    CHECK (status IN ('reserved', 'pending', 'settled', 'released')),
    spend_day       date NOT NULL,
    nonce           bigint,
    tx_hash         text,
    raw_tx          text,
    reason          text,
    metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    settled_at      timestamptz,
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS wallet_tx_wallet ON wallet_transactions (tenant_id, wallet_id, created_at);
CREATE INDEX IF NOT EXISTS wallet_tx_open ON wallet_transactions (wallet_id) WHERE status IN ('reserved', 'pending');
