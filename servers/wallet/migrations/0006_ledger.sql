-- The money ledger proper: one append-only row per state a payment reaches (reserved, pending,
-- settled, released) with its reason. `wallet_transactions` and `wallet_budgets` are state rows
-- that reserve/settle update; this table is the record of what happened to them, written by a
-- trigger so no code path can skip it, and never updated or deleted (see refuse_ledger_rewrite).

CREATE TABLE IF NOT EXISTS wallet_ledger (
    id          bigserial PRIMARY KEY,
    tenant_id   text NOT NULL,
    tx_id       text NOT NULL,
    campaign_id text NOT NULL,
    wallet_id   text NOT NULL,
    asset       text NOT NULL,
    amount      numeric(38, 18) NOT NULL,
    to_address  text NOT NULL,
    status      text NOT NULL,
    tx_hash     text,
    reason      text,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS wallet_ledger_by_tx ON wallet_ledger (tenant_id, tx_id, id);

CREATE OR REPLACE FUNCTION wallet_ledger_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
        OR NEW.tx_hash IS DISTINCT FROM OLD.tx_hash THEN
        INSERT INTO wallet_ledger (tenant_id, tx_id, campaign_id, wallet_id, asset, amount,
                                   to_address, status, tx_hash, reason)
        VALUES (NEW.tenant_id, NEW.tx_id, NEW.campaign_id, NEW.wallet_id, NEW.asset, NEW.amount,
                NEW.to_address, NEW.status, NEW.tx_hash, NEW.reason);
    END IF;
    RETURN NEW;
END;
$$;
DROP TRIGGER IF EXISTS wallet_tx_to_ledger ON wallet_transactions;
CREATE TRIGGER wallet_tx_to_ledger AFTER INSERT OR UPDATE ON wallet_transactions
    FOR EACH ROW EXECUTE FUNCTION wallet_ledger_record();

CREATE OR REPLACE FUNCTION refuse_ledger_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER IF EXISTS wallet_ledger_append_only ON wallet_ledger;
CREATE TRIGGER wallet_ledger_append_only BEFORE UPDATE OR DELETE ON wallet_ledger
    FOR EACH ROW EXECUTE FUNCTION refuse_ledger_rewrite();
