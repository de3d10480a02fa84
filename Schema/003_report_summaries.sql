-- 003_report_summaries: what the reports read instead of every message, kept
-- by the loader in the same transaction as the facts it summarises.

-- Messages per local day (workspace time zone), source, channel and sender: the
-- message reports in the workspace's time zone read this (a few rows a day
-- instead of every message). In another reporting time zone they read the facts.
CREATE TABLE agg_message_daily (
    sent_date_key   INTEGER NOT NULL REFERENCES dim_date(date_key),
    source_key      INTEGER NOT NULL REFERENCES dim_message_source(source_key),
    channel_key     INTEGER REFERENCES dim_channel(channel_key),  -- NULL: older files, no channel
    sender_id       TEXT,       -- outgoing messages only; NULL for incoming ones (the contact)
    sender_user_key INTEGER REFERENCES dim_user(user_key),
    messages        INTEGER NOT NULL
);
CREATE INDEX agg_message_daily_by_date ON agg_message_daily(sent_date_key);

INSERT INTO agg_message_daily (sent_date_key, source_key, channel_key, sender_id, sender_user_key, messages)
SELECT m.sent_date_key, m.source_key, m.channel_key,
       CASE WHEN s.direction = 'outgoing' THEN m.sender_id END, m.sender_user_key, count(*)
FROM fact_message m
JOIN dim_message_source s ON s.source_key = m.source_key
GROUP BY 1, 2, 3, 4, 5;

-- 1 when the conversation is its contact's first known to the warehouse
-- (earliest start, ties by Conversation ID, all-digit IDs as numbers), or has
-- no contact: "new" in conversations_opened_by_contact_type.
ALTER TABLE fact_conversation ADD COLUMN is_new_contact INTEGER NOT NULL DEFAULT 0;

UPDATE fact_conversation SET is_new_contact = 1
WHERE contact_key IS NULL
   OR conversation_key IN (
        SELECT conversation_key FROM (
            SELECT conversation_key,
                   row_number() OVER (PARTITION BY contact_key
                                      ORDER BY started_ts, conversation_id COLLATE natural_id) AS position
            FROM fact_conversation
            WHERE started_ts IS NOT NULL)
        WHERE position = 1);

-- The reports' scans of conversations read these instead of the whole rows (a
-- conversation row is wide): one per anchor, holding the columns the
-- conversation reports filter and group on. They replace the plain indexes.
DROP INDEX fact_conversation_by_started;
DROP INDEX fact_conversation_by_resolved;
CREATE INDEX fact_conversation_opened ON fact_conversation(
    started_ts, started_local, closed_by_team_key, assignee_user_key, opened_by_channel_key,
    first_assignee_user_key, opened_by_source, is_new_contact);
CREATE INDEX fact_conversation_closed ON fact_conversation(
    resolved_ts, resolved_local, closed_by_team_key, assignee_user_key, opened_by_channel_key,
    closed_by_user_key, first_response_by_user_key, contact_key,
    first_response_seconds, resolution_seconds, incoming_messages, outgoing_messages);
