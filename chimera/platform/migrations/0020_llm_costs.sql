-- LLM token costs (specs/economics.md §3.1, §3.4): each usage row names its agent and carries
-- the price it was charged at, so P&L sums rows instead of re-pricing history. The price is the
-- per-model table in force when the tokens were spent (USD per 1000 input / output tokens);
-- NULL prices and cost mean the model had no price: the tokens count, the cost is 0 and the
-- report flags the model. Rows written before this migration get their agent from their
-- campaign and stay unpriced (a cost is never invented after the fact).

ALTER TABLE llm_usage ADD COLUMN IF NOT EXISTS agent_id text;
ALTER TABLE llm_usage ADD COLUMN IF NOT EXISTS input_usd_per_1k numeric(20, 10)
    CHECK (input_usd_per_1k >= 0);
ALTER TABLE llm_usage ADD COLUMN IF NOT EXISTS output_usd_per_1k numeric(20, 10)
    CHECK (output_usd_per_1k >= 0);
ALTER TABLE llm_usage ADD COLUMN IF NOT EXISTS cost_usd numeric(20, 10) CHECK (cost_usd >= 0);

UPDATE llm_usage u SET agent_id = c.agent_id
  FROM campaigns c
 WHERE u.agent_id IS NULL AND c.id = u.campaign_id AND c.tenant_id = u.tenant_id;

CREATE INDEX IF NOT EXISTS llm_usage_by_agent ON llm_usage (tenant_id, agent_id, created_at);
