-- Distributes a new warehouse with Citus (SPEC §8, "Scale-out"): run by the first
-- `warehouse load` when the database has the citus extension, after tables.sql
-- and before the views; docs/postgresql.md gives the same calls for a warehouse
-- made before, by hand.
--
-- By the contact, co-located: the contacts and the three fact tables, on
-- contact_key (their primary and unique keys hold it: tables.sql). A contact's
-- conversations, messages and failed messages sit on one shard with it, so the
-- loader's links (a message to its contact's conversation), first conversations
-- and damaged-ID look-ups, and the reports' joins of a fact to its contact, run
-- on one worker each. A fact stores its contact, so one without a Contact ID
-- cannot be placed: a distributed warehouse refuses such a row (a reject, by
-- file and line) where a single server keeps it.
SELECT create_distributed_table('dim_contact', 'contact_key');
SELECT create_distributed_table('fact_conversation', 'contact_key', colocate_with => 'dim_contact');
SELECT create_distributed_table('fact_message', 'contact_key', colocate_with => 'dim_contact');
SELECT create_distributed_table('fact_failed_message', 'contact_key', colocate_with => 'dim_contact');

-- On every worker, whole: the small dimensions every fact joins, the schedules,
-- and the two summaries the reports join to facts or dimensions. The
-- per-conversation link counts grow with the conversations (two integers a
-- row), the price of joining them to a conversation on its own shard. No
-- reference table points at a distributed one (no table declares REFERENCES).
SELECT create_reference_table(t) FROM unnest(ARRAY[
    'dim_category', 'dim_channel', 'dim_date', 'dim_message_source', 'dim_message_type',
    'dim_team', 'dim_time_of_day', 'dim_user', 'bridge_user_team',
    'business_hours', 'business_holidays',
    'agg_message_daily', 'agg_conversation_messages'
]) AS t;

-- The rest stay on the coordinator, where every writer and reader of them is:
-- settings, load_log, rejected_rows, server_tokens, webhook_events,
-- webhook_other_events.
