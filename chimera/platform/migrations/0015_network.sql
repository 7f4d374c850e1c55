-- The agent network (OpenClaw): what a tenant lets leave it, and operator locks per agent.
-- Both tables carry tenant_id, so `_secure` forces row-level security on them.

CREATE TABLE IF NOT EXISTS network_policies (
    tenant_id     text PRIMARY KEY,
    sharing       text NOT NULL CHECK (sharing IN ('none', 'tenant', 'network')),
    -- 'always': every accepted proposal waits for a human; 'never': the judge decides alone.
    collab_review text NOT NULL DEFAULT 'always' CHECK (collab_review IN ('always', 'never')),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS network_locks (
    tenant_id  text NOT NULL,
    agent_id   text NOT NULL,
    locked_by  text NOT NULL,
    reason     text NOT NULL,
    locked_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, agent_id)
);

-- The recipient judge's verdict on a received collaboration proposal, and who answered it.
CREATE TABLE IF NOT EXISTS network_verdicts (
    tenant_id   text NOT NULL,
    agent_id    text NOT NULL,
    proposal_id text NOT NULL,
    score       double precision NOT NULL,
    verdict     text NOT NULL CHECK (verdict IN ('accept', 'reject')),
    reasons     text[] NOT NULL DEFAULT '{}',
    status      text NOT NULL CHECK (status IN ('awaiting_human', 'answered', 'locked')),
    answered_by text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, proposal_id)
);
