-- Checkpoints belong to a tenant. LangGraph's saver tables get a `tenant_id` generated from the
-- thread id (`<tenant>.<campaign>.run-<n>`: the text before the first dot; a thread id without a
-- dot, such as a LangGraph server's UUID, belongs to the server bucket ''). Having the column, the
-- three tables get the same forced row-level security as every tenant table (chimera.platform.db
-- `_secure`), and the saver sets `app.tenant_id` to its thread's tenant before each query.
-- A generated column needs no change to the saver's INSERTs and cannot be written wrong.
-- The runtime role may not DELETE checkpoint rows (`_secure` revokes it): it prunes finished
-- threads only through the two SECURITY DEFINER functions below (checkpoint retention).

CREATE OR REPLACE FUNCTION chimera_thread_tenant(p_thread_id text)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT CASE WHEN strpos(p_thread_id, '.') > 0 THEN split_part(p_thread_id, '.', 1) ELSE '' END
$$;

ALTER TABLE checkpoints ADD COLUMN IF NOT EXISTS tenant_id text
    GENERATED ALWAYS AS (chimera_thread_tenant(thread_id)) STORED;
ALTER TABLE checkpoint_blobs ADD COLUMN IF NOT EXISTS tenant_id text
    GENERATED ALWAYS AS (chimera_thread_tenant(thread_id)) STORED;
ALTER TABLE checkpoint_writes ADD COLUMN IF NOT EXISTS tenant_id text
    GENERATED ALWAYS AS (chimera_thread_tenant(thread_id)) STORED;

-- Threads whose newest root checkpoint is older than the cut-off, across tenants: retention is
-- the operator's, and it learns thread ids only (never their state).
CREATE OR REPLACE FUNCTION chimera_prunable_threads(p_cutoff timestamptz, p_only text[])
RETURNS TABLE (thread_id text, last_id text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT c.thread_id, max(c.checkpoint_id)
    FROM checkpoints c
    WHERE c.checkpoint_ns = '' AND (p_only IS NULL OR c.thread_id = ANY(p_only))
    GROUP BY c.thread_id
    HAVING max((c.checkpoint->>'ts')::timestamptz) < p_cutoff
    ORDER BY c.thread_id
$$;

-- Delete one FINISHED thread's checkpoints: its newest root checkpoint must still be `p_last_id`
-- (else NULL: the thread moved on, keep it), older than the cut-off, and hold the run's report
-- (the graph writes `report` last). Anything else is refused with the reason.
CREATE OR REPLACE FUNCTION chimera_prune_thread(p_thread_id text, p_last_id text, p_cutoff timestamptz)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    newest_id text;
    newest jsonb;
    n bigint;
    total bigint := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('chimera-prune:' || p_thread_id, 0));
    SELECT c.checkpoint_id, c.checkpoint INTO newest_id, newest
    FROM checkpoints c
    WHERE c.thread_id = p_thread_id AND c.checkpoint_ns = ''
    ORDER BY c.checkpoint_id DESC
    LIMIT 1;
    IF newest_id IS NULL OR newest_id <> p_last_id THEN
        RETURN NULL;
    END IF;
    IF (newest->>'ts')::timestamptz >= p_cutoff THEN
        RAISE EXCEPTION 'thread % was checkpointed after the cut-off: it is kept', p_thread_id;
    END IF;
    IF NOT (newest->'channel_versions') ? 'report' THEN
        RAISE EXCEPTION 'thread % has not finished: its checkpoints are kept', p_thread_id;
    END IF;
    DELETE FROM checkpoint_writes WHERE thread_id = p_thread_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
    DELETE FROM checkpoint_blobs WHERE thread_id = p_thread_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
    DELETE FROM checkpoints WHERE thread_id = p_thread_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN total + n;
END
$$;

REVOKE ALL ON FUNCTION chimera_prunable_threads(timestamptz, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION chimera_prune_thread(text, text, timestamptz) FROM PUBLIC;
