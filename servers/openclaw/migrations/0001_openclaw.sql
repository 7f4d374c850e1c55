-- The embedded OpenClaw router: a network directory, inboxes, send log and sender reputation.

-- The network's public directory: only the shareable projection of an agent's availability.
-- It deliberately has no tenant_id column (so no row-level security): it is what other tenants
-- may see; the bridge writes a row only for the caller's own tenant and filters reads by the
-- publisher's visibility ('tenant' or 'network'). A 'none' policy removes the row.
CREATE TABLE IF NOT EXISTS openclaw_directory (
    home_tenant              text NOT NULL,
    agent_id                 text NOT NULL,
    visibility               text NOT NULL CHECK (visibility IN ('tenant', 'network')),
    status                   text NOT NULL CHECK (status IN ('online', 'offline')),
    niche                    text[] NOT NULL DEFAULT '{}',
    capabilities             text[] NOT NULL DEFAULT '{}',
    current_load             double precision NOT NULL CHECK (current_load BETWEEN 0 AND 1),
    preferred_collaborations text[] NOT NULL DEFAULT '{}',
    wallet_public_info       jsonb,
    updated_at               timestamptz NOT NULL,
    PRIMARY KEY (home_tenant, agent_id)
);

-- Received trend signals, in the recipient's tenant (row-level security applies).
CREATE TABLE IF NOT EXISTS openclaw_signals (
    tenant_id     text NOT NULL,
    to_agent_id   text NOT NULL,
    signal_id     text NOT NULL,
    from_tenant   text NOT NULL,
    from_agent_id text NOT NULL,
    topic         text NOT NULL,
    confidence    double precision NOT NULL,
    regions       text[] NOT NULL DEFAULT '{}',
    tags          text[] NOT NULL DEFAULT '{}',
    priority      double precision NOT NULL,
    received_at   timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, to_agent_id, signal_id)
);
CREATE INDEX IF NOT EXISTS openclaw_signals_inbox
    ON openclaw_signals (tenant_id, to_agent_id, expires_at);

-- A proposal has one row per side: 'received' in the recipient's tenant, 'sent' in the sender's.
CREATE TABLE IF NOT EXISTS openclaw_proposals (
    tenant_id     text NOT NULL,
    side          text NOT NULL CHECK (side IN ('sent', 'received')),
    proposal_id   text NOT NULL,
    agent_id      text NOT NULL,
    peer_tenant   text NOT NULL,
    peer_agent_id text NOT NULL,
    proposal      jsonb NOT NULL,
    status        text NOT NULL
        CHECK (status IN ('pending', 'accepted', 'rejected', 'modified', 'expired')),
    counter_terms jsonb,
    reason        text,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    responded_at  timestamptz,
    PRIMARY KEY (tenant_id, side, proposal_id)
);

-- Every send attempt of an agent (rate limits and quotas count them), in the sender's tenant.
CREATE TABLE IF NOT EXISTS openclaw_sends (
    tenant_id text NOT NULL,
    agent_id  text NOT NULL,
    kind      text NOT NULL,
    accepted  boolean NOT NULL,
    sent_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS openclaw_sends_by_agent ON openclaw_sends (tenant_id, agent_id, sent_at);

-- The network's view of a sender, kept in the sender's tenant.
CREATE TABLE IF NOT EXISTS openclaw_reputation (
    tenant_id  text NOT NULL,
    agent_id   text NOT NULL,
    score      double precision NOT NULL CHECK (score BETWEEN 0 AND 1),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, agent_id)
);
