-- Facts an operator teaches an agent (`chimera memory add --source-type fact`): what grounded
-- answers to product questions may use.

ALTER TABLE memory_items DROP CONSTRAINT IF EXISTS memory_items_source_type_check;
ALTER TABLE memory_items ADD CONSTRAINT memory_items_source_type_check
    CHECK (source_type IN ('post', 'comment', 'trend_alert', 'conversation', 'fact'));
