-- Wallet ids are global (primary key) but rows are tenant-private. Before generating a key the
-- wallet server asks whether an id is free in any tenant; this function answers that one boolean
-- (SECURITY DEFINER: row-level security would hide another tenant's row) and nothing else. The
-- server turns every "taken" into the same answer, so callers never learn whose it is.

CREATE OR REPLACE FUNCTION chimera_wallet_id_free(p_wallet_id text)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT NOT EXISTS (SELECT 1 FROM wallets WHERE wallet_id = p_wallet_id)
$$;
