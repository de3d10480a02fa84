-- What schema version 10 changes in a PostgreSQL warehouse made at version 9,
-- besides Schema/010 (which runs on both stores): the keys tables.sql now makes,
-- which Citus can distribute. The natural IDs lose their unique keys for plain
-- indexes, and each fact's surrogate key is unique with its contact (the loader
-- keeps one row per ID: tables.sql says why). Run once, by the upgrade in place
-- (PostgresWarehouse.upgrade), under the schema's lock.
ALTER TABLE dim_contact DROP CONSTRAINT IF EXISTS dim_contact_contact_id_key;
CREATE INDEX IF NOT EXISTS dim_contact_by_id ON dim_contact(contact_id);

ALTER TABLE fact_conversation DROP CONSTRAINT IF EXISTS fact_conversation_pkey,
    DROP CONSTRAINT IF EXISTS fact_conversation_conversation_id_key,
    ADD CONSTRAINT fact_conversation_key UNIQUE (conversation_key, contact_key);
CREATE INDEX IF NOT EXISTS fact_conversation_by_id ON fact_conversation(conversation_id);

ALTER TABLE fact_failed_message DROP CONSTRAINT IF EXISTS fact_failed_message_pkey,
    DROP CONSTRAINT IF EXISTS fact_failed_message_message_id_key,
    ADD CONSTRAINT fact_failed_message_key UNIQUE (failed_message_key, contact_key);
CREATE INDEX IF NOT EXISTS fact_failed_message_by_id ON fact_failed_message(message_id);

ALTER TABLE fact_message DROP CONSTRAINT IF EXISTS fact_message_pkey,
    DROP CONSTRAINT IF EXISTS fact_message_message_id_key,
    ADD CONSTRAINT fact_message_key UNIQUE (message_key, contact_key);
CREATE INDEX IF NOT EXISTS fact_message_by_id ON fact_message(message_id);
