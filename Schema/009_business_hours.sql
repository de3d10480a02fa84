-- 009_business_hours: the team's working hours, for the reports in business
-- hours and the service levels (SPEC §9; `warehouse hours`).
--
-- A weekly schedule is a set of windows of wall time in the warehouse's time
-- zone: the workspace's (team = '') and, where a team works other hours, that
-- team's (team = its name in dim_team). A team without its own windows works
-- the workspace's. A window that closes at or before it opens runs past
-- midnight and belongs to the day it opens on; closes = '24:00' is the end of
-- the day. `warehouse hours set` replaces one schedule whole and refuses
-- windows that overlap. The current schedule applies to all history.
CREATE TABLE business_hours (
    team    TEXT NOT NULL DEFAULT '',   -- '' the workspace's; else a team's name
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),   -- 1 Monday … 7 Sunday
    opens   TEXT NOT NULL,              -- HH:MM
    closes  TEXT NOT NULL,              -- HH:MM, 24:00 the end of the day
    PRIMARY KEY (team, weekday, opens)
);

-- Closed local days. The workspace's (team = '') close every team; a team's
-- close that team only.
CREATE TABLE business_holidays (
    team         TEXT NOT NULL DEFAULT '',
    holiday_date TEXT NOT NULL,         -- YYYY-MM-DD, in the warehouse's time zone
    name         TEXT,
    PRIMARY KEY (team, holiday_date)
);

-- (reopened_conversations finds a contact's next conversation through
-- fact_conversation_by_contact, of schema 001.)

-- The reports in business hours count from a conversation's start to its first
-- response and its resolution: the covering indexes the conversation reports
-- read (schema 005) gain the instants they need, so that those reports, in
-- calendar time or in business hours, still read no row of the table itself.
DROP INDEX fact_conversation_closed;
CREATE INDEX fact_conversation_closed ON fact_conversation(
    resolved_date_key, resolved_ts, closed_by_team_key, assignee_user_key, opened_by_channel_key,
    closed_by_user_key, first_response_by_user_key, contact_key,
    first_response_seconds, resolution_seconds, incoming_messages, outgoing_messages,
    started_ts, first_response_ts);
DROP INDEX fact_conversation_by_closer;
CREATE INDEX fact_conversation_by_closer ON fact_conversation(
    closed_by_user_key, contact_key, resolved_date_key, resolved_ts, closed_by_team_key, opened_by_channel_key,
    first_response_seconds, resolution_seconds, started_ts, first_response_ts);
DROP INDEX fact_conversation_by_responder;
CREATE INDEX fact_conversation_by_responder ON fact_conversation(
    coalesce(first_response_by_user_key, assignee_user_key), resolved_date_key, resolved_ts,
    closed_by_team_key, opened_by_channel_key, first_response_seconds,
    first_response_by_user_key, assignee_user_key, started_ts, first_response_ts);
