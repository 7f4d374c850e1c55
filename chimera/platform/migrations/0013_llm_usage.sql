-- Token usage of every model call, per campaign task and role, for cost accounting
-- (specs/llm.md §5). One row per node run: a re-executed node spent its tokens again, so it adds
-- a row rather than overwriting one. Row-level security is forced by the bootstrap (_secure).

CREATE TABLE IF NOT EXISTS llm_usage (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id      text NOT NULL,
    campaign_id    text NOT NULL,
    thread_id      text NOT NULL,
    task_id        text NOT NULL,
    role           text NOT NULL CHECK (role IN ('planner', 'writer', 'judge', 'relevance')),
    model          text NOT NULL,
    prompt_version text NOT NULL,
    calls          integer NOT NULL CHECK (calls >= 0),
    input_tokens   integer NOT NULL CHECK (input_tokens >= 0),
    output_tokens  integer NOT NULL CHECK (output_tokens >= 0),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS llm_usage_by_campaign ON llm_usage (tenant_id, campaign_id, task_id);
ALTER TABLE llm_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_usage FORCE ROW LEVEL SECURITY;
