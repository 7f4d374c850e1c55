-- Semantic memory of the memory server (CONTRACTS §3.3) in pgvector. tenant_id puts it under the
-- forced row-level security chimera/db.py applies to every tenant table.

CREATE TABLE IF NOT EXISTS memory_items (
    tenant_id    text NOT NULL,
    memory_id    text NOT NULL,
    agent_id     text NOT NULL,
    source_type  text NOT NULL
                 CHECK (source_type IN ('post', 'comment', 'trend_alert', 'conversation')),
    source_id    text NOT NULL,
    text         text NOT NULL,
    ts           timestamptz NOT NULL,
    embedding    vector(384) NOT NULL,
    model        text NOT NULL,
    content_hash text NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, memory_id)
);
CREATE INDEX IF NOT EXISTS memory_items_embedding_hnsw
    ON memory_items USING hnsw (embedding vector_cosine_ops);
CREATE INDEX IF NOT EXISTS memory_items_agent_ts ON memory_items (tenant_id, agent_id, ts DESC);
