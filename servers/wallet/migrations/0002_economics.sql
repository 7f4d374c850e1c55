-- Agent economics on the wallet server: per-agent caps with running totals (the second row a
-- reservation conditionally updates, in the same transaction as the campaign's), incoming
-- transfers found on chain (once per tx hash + log index), the scan cursor per tenant and
-- network, and sponsor invoices an incoming transfer can pay.

CREATE TABLE IF NOT EXISTS wallet_agent_budgets (
    tenant_id     text NOT NULL,
    agent_id      text NOT NULL,
    asset         text NOT NULL,
    max_daily     numeric(38, 18) CHECK (max_daily >= 0),
    max_monthly   numeric(38, 18) CHECK (max_monthly >= 0),
    spend_day     date NOT NULL DEFAULT (now() AT TIME ZONE 'utc')::date,
    spent_today   numeric(38, 18) NOT NULL DEFAULT 0 CHECK (spent_today >= 0),
    spend_month   date NOT NULL DEFAULT date_trunc('month', now() AT TIME ZONE 'utc')::date,
    spent_month   numeric(38, 18) NOT NULL DEFAULT 0 CHECK (spent_month >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, agent_id, asset)
);

CREATE TABLE IF NOT EXISTS wallet_invoices (
    invoice_id   text PRIMARY KEY,
    tenant_id    text NOT NULL,
    agent_id     text NOT NULL,
    wallet_id    text NOT NULL REFERENCES wallets(wallet_id),
    campaign_id  text,
    sponsor      text NOT NULL,
    payer_address text CHECK (payer_address ~ '^0x[0-9a-fA-F]{40}$'),
    asset        text NOT NULL,
    amount       numeric(38, 18) NOT NULL CHECK (amount > 0),
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid')),
    paid_by      text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    paid_at      timestamptz
);
CREATE INDEX IF NOT EXISTS wallet_invoices_open ON wallet_invoices (wallet_id, amount)
    WHERE status = 'open';

CREATE TABLE IF NOT EXISTS wallet_income (
    income_id     text PRIMARY KEY,
    tenant_id     text NOT NULL,
    agent_id      text NOT NULL,
    wallet_id     text NOT NULL REFERENCES wallets(wallet_id),
    network       text NOT NULL,
    asset         text NOT NULL,
    amount        numeric(38, 18) NOT NULL CHECK (amount > 0),
    counterparty  text NOT NULL,
    purpose       text NOT NULL CHECK (purpose IN ('tip', 'sponsorship', 'refund')),
    campaign_id   text,
    invoice_id    text REFERENCES wallet_invoices(invoice_id),
    tx_hash       text NOT NULL,
    log_index     integer NOT NULL,
    block_number  bigint NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, network, tx_hash, log_index)
);
CREATE INDEX IF NOT EXISTS wallet_income_agent ON wallet_income (tenant_id, agent_id, received_at);

CREATE TABLE IF NOT EXISTS wallet_scan_cursors (
    tenant_id   text NOT NULL,
    network     text NOT NULL,
    next_block  bigint NOT NULL CHECK (next_block >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, network)
);
