-- New mentions wake their subscribers. Every row stored in social_mentions (the sandbox receiving
-- one, the X cache fetching new ones, the bundled sample seeded) notifies the channel
-- `social_mentions` with its tenant and agent only; a social server in any process LISTENs and
-- tells that agent's subscribed MCP sessions (servers/social/subscriptions.py). Identical
-- payloads in one transaction are delivered once, so a batch of one agent's mentions wakes its
-- subscribers once; a conflicting insert (ON CONFLICT DO NOTHING) stores nothing and says nothing.

CREATE OR REPLACE FUNCTION social_mention_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(
        'social_mentions',
        json_build_object('tenant_id', NEW.tenant_id, 'agent_id', NEW.agent_id)::text
    );
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS social_mentions_notify ON social_mentions;
CREATE TRIGGER social_mentions_notify AFTER INSERT ON social_mentions
    FOR EACH ROW EXECUTE FUNCTION social_mention_notify();
