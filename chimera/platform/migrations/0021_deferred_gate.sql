-- A deferred post keeps what the publish gate needs to check it again when the outbox takes it:
-- the persona it was written under and the untrusted text a reply answers. The outbox applies the
-- campaign's policy of that moment to them (specs/governance.md §1.4); a post the check refuses
-- ends with status 'refused' and the reasons in `error`.

ALTER TABLE posts ADD COLUMN IF NOT EXISTS gate jsonb;
