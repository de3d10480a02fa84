-- 005_conversation_indexes_by_day: the conversation reports' two covering
-- indexes are led by the workspace-zone date key instead of the UTC instant.
--
-- Reports that count per day or per hour (opened vs closed, new vs returning,
-- the heatmap) then group in index order: SQLite groups without sorting every
-- conversation (300,000 conversations: 219 -> 47 ms for the day counts). The
-- reports bound the date key with :from_date_key/:to_date_key (the workspace
-- days that hold the period) and keep the exact UTC bounds beside it, so the
-- period is still exact in any reporting time zone. Same columns otherwise;
-- the stored local text is no longer needed in them.
DROP INDEX fact_conversation_opened;
DROP INDEX fact_conversation_closed;
CREATE INDEX fact_conversation_opened ON fact_conversation(
    started_date_key, started_hour, started_ts, closed_by_team_key, assignee_user_key, opened_by_channel_key,
    first_assignee_user_key, opened_by_source, is_new_contact);
CREATE INDEX fact_conversation_closed ON fact_conversation(
    resolved_date_key, resolved_ts, closed_by_team_key, assignee_user_key, opened_by_channel_key,
    closed_by_user_key, first_response_by_user_key, contact_key,
    first_response_seconds, resolution_seconds, incoming_messages, outgoing_messages);
