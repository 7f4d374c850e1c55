-- Campaign ids are tenant-owned: one function tells the runtime role whether a campaign id is free
-- or its own tenant's, without revealing whether (or to whom) it belongs elsewhere. It runs as
-- the migrating owner (SECURITY DEFINER) because row-level security hides other tenants' rows
-- from the runtime role; it returns one boolean and nothing else.

CREATE OR REPLACE FUNCTION chimera_campaign_usable(p_campaign_id text)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT NOT EXISTS (
        SELECT 1 FROM campaigns
        WHERE id = p_campaign_id
          AND tenant_id IS DISTINCT FROM current_setting('app.tenant_id', true)
    ) AND NOT EXISTS (
        SELECT 1 FROM threads
        WHERE campaign_id = p_campaign_id
          AND tenant_id IS DISTINCT FROM current_setting('app.tenant_id', true)
    )
$$;

REVOKE ALL ON FUNCTION chimera_campaign_usable(text) FROM PUBLIC;
