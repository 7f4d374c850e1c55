-- Governance records: a task's explained end (its reason) and an audit log nobody rewrites.
-- The runtime role also loses UPDATE/DELETE/TRUNCATE on append-only tables (db.APPEND_ONLY,
-- re-asserted after every migration); the trigger refuses a rewrite even if a grant slips back.

ALTER TABLE tasks ADD COLUMN IF NOT EXISTS reason text;

CREATE OR REPLACE FUNCTION refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();

-- A run whose plan was refused as a whole ends `refused`, not `done`.
ALTER TABLE threads DROP CONSTRAINT IF EXISTS threads_status_check;
ALTER TABLE threads ADD CONSTRAINT threads_status_check
    CHECK (status IN ('running', 'paused', 'done', 'failed', 'refused'));

-- Every payment outcome the runtime saw (executed, rejected before or by the wallet, failed), with
-- its reason: refusals never reach the wallet server's tables, so they are recorded here.
CREATE TABLE IF NOT EXISTS payment_ledger (
    id           bigserial PRIMARY KEY,
    tenant_id    text NOT NULL,
    agent_id     text,
    campaign_id  text,
    task_id      text,
    thread_id    text,
    source       text NOT NULL,
    status       text NOT NULL,
    wallet_id    text,
    asset        text,
    amount       text,
    to_address   text,
    tx_hash      text,
    reason       text,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS payment_ledger_by_campaign ON payment_ledger (tenant_id, campaign_id, id);
DROP TRIGGER IF EXISTS payment_ledger_append_only ON payment_ledger;
CREATE TRIGGER payment_ledger_append_only BEFORE UPDATE OR DELETE ON payment_ledger
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
DROP TRIGGER IF EXISTS payment_ledger_no_truncate ON payment_ledger;
CREATE TRIGGER payment_ledger_no_truncate BEFORE TRUNCATE ON payment_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
