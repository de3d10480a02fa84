-- 005_conversation_report_indexes: the conversation reports group in index order
-- instead of sorting every conversation, and the message reports read only
-- indexes. SQLite groups by sorting unless an index gives the rows in group order;
-- over 300,000 conversations that sort is most of a report's time.
--
-- The two covering indexes, one per anchor, are led by the workspace-zone date key
-- instead of the UTC instant: reports that count per day or per hour (opened vs
-- closed, new vs returning, the heatmap) group in their order (the day counts:
-- 219 -> 47 ms). The reports bound the date key with :from_date_key/:to_date_key
-- (the workspace days that hold the period) and keep the exact UTC bounds beside
-- it, so the period is still exact in any reporting time zone.
DROP INDEX fact_conversation_opened;
DROP INDEX fact_conversation_closed;
CREATE INDEX fact_conversation_opened ON fact_conversation(
    started_date_key, started_hour, started_ts, closed_by_team_key, assignee_user_key, opened_by_channel_key,
    first_assignee_user_key, opened_by_source, is_new_contact);
CREATE INDEX fact_conversation_closed ON fact_conversation(
    resolved_date_key, resolved_ts, closed_by_team_key, assignee_user_key, opened_by_channel_key,
    closed_by_user_key, first_response_by_user_key, contact_key,
    first_response_seconds, resolution_seconds, incoming_messages, outgoing_messages);

-- One narrow index per user a report groups by, led by that user: the closer
-- (contacts in order within each, for the distinct count), the assignee, the
-- first responder as the first response leaderboard names it, and the first
-- assignee. Those reports test the period row by row (written +c.x) so that SQLite
-- reads these in order rather than the period's range of the indexes above.
CREATE INDEX fact_conversation_by_closer ON fact_conversation(
    closed_by_user_key, contact_key, resolved_date_key, resolved_ts, closed_by_team_key, opened_by_channel_key,
    first_response_seconds, resolution_seconds);
CREATE INDEX fact_conversation_by_assignee ON fact_conversation(
    assignee_user_key, resolved_date_key, resolved_ts);
CREATE INDEX fact_conversation_by_responder ON fact_conversation(
    coalesce(first_response_by_user_key, assignee_user_key), resolved_date_key, resolved_ts,
    closed_by_team_key, opened_by_channel_key, first_response_seconds,
    first_response_by_user_key, assignee_user_key);  -- the expression's columns: the index covers the report
CREATE INDEX fact_conversation_by_first_assignee ON fact_conversation(
    first_assignee_user_key, started_date_key, started_ts, opened_by_source);

-- The daily message summary's index holds the columns the message reports read,
-- so a period is one range of it with no look-up of each row (user_performance's
-- messages sent over a year: 100,000 look-ups).
DROP INDEX agg_message_daily_by_date;
CREATE INDEX agg_message_daily_by_date ON agg_message_daily(
    sent_date_key, source_key, channel_key, sender_user_key, sender_id, messages);
-- The messages users sent, per user in index order, for user_performance.
CREATE INDEX agg_message_daily_by_user ON agg_message_daily(sender_user_key, sent_date_key, source_key, messages)
    WHERE sender_user_key IS NOT NULL;
