-- 001_star_schema: the warehouse's star schema.
--
-- Facts at their natural grain (one row per conversation, message, failed
-- message) keyed to dimensions. Instants are stored three ways:
--   *_ts       INTEGER  the UTC instant, seconds since 1970-01-01 00:00:00 UTC
--   *_local    TEXT     the local wall time in the workspace time zone, 'YYYY-MM-DD HH:MM:SS'
--   *_date_key INTEGER  the local date as YYYYMMDD (dim_date), *_hour the local hour (dim_time_of_day)
-- Durations are INTEGER seconds; NULL means the event did not happen.
-- Natural keys (export IDs) are TEXT, exactly as exported.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per file load (or refusal).
CREATE TABLE load_log (
    load_id       INTEGER PRIMARY KEY,
    file_name     TEXT NOT NULL,
    file_path     TEXT NOT NULL,
    sha256        TEXT,
    kind          TEXT,
    form          TEXT,
    status        TEXT NOT NULL CHECK (status IN ('loaded', 'refused', 'failed')),
    message       TEXT,
    rows_read     INTEGER NOT NULL DEFAULT 0,
    rows_inserted INTEGER NOT NULL DEFAULT 0,
    rows_updated  INTEGER NOT NULL DEFAULT 0,
    rows_unchanged INTEGER NOT NULL DEFAULT 0,
    rows_rejected INTEGER NOT NULL DEFAULT 0,
    started_at    TEXT NOT NULL,   -- UTC, ISO 8601
    finished_at   TEXT
);

-- One row per rejected record: the physical line where it starts (header = line 1).
CREATE TABLE rejected_rows (
    load_id   INTEGER NOT NULL REFERENCES load_log(load_id),
    file_name TEXT NOT NULL,
    line      INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    record    TEXT              -- the raw record, cut at 2,000 characters
);
CREATE INDEX rejected_rows_by_load ON rejected_rows(load_id, line);

-- Dimensions -----------------------------------------------------------------

-- Calendar attributes of every local date from the first to the last one seen.
CREATE TABLE dim_date (
    date_key     INTEGER PRIMARY KEY,       -- YYYYMMDD
    date         TEXT NOT NULL UNIQUE,      -- YYYY-MM-DD
    year         INTEGER NOT NULL,
    quarter      INTEGER NOT NULL,
    month        INTEGER NOT NULL,
    month_name   TEXT NOT NULL,             -- Jan…Dec
    year_month   TEXT NOT NULL,             -- YYYY-MM
    day          INTEGER NOT NULL,
    weekday      INTEGER NOT NULL,          -- 1 = Monday … 7 = Sunday
    weekday_name TEXT NOT NULL,             -- Mon…Sun
    week_start   TEXT NOT NULL,             -- the Monday of its week, YYYY-MM-DD
    iso_year     INTEGER NOT NULL,
    iso_week     INTEGER NOT NULL,
    is_weekend   INTEGER NOT NULL
);

CREATE TABLE dim_time_of_day (
    hour     INTEGER PRIMARY KEY CHECK (hour BETWEEN 0 AND 23),
    label    TEXT NOT NULL,                 -- '09:00'
    day_part TEXT NOT NULL                  -- night, morning, afternoon, evening
);
WITH RECURSIVE h(hour) AS (SELECT 0 UNION ALL SELECT hour + 1 FROM h WHERE hour < 23)
INSERT INTO dim_time_of_day (hour, label, day_part)
SELECT hour, printf('%02d:00', hour),
       CASE WHEN hour < 6 THEN 'night' WHEN hour < 12 THEN 'morning'
            WHEN hour < 18 THEN 'afternoon' ELSE 'evening' END
FROM h;

-- Every contact seen: from a contacts file (in_contacts_export = 1) or only
-- referenced by a conversation, message or failed message.
CREATE TABLE dim_contact (
    contact_key        INTEGER PRIMARY KEY,
    contact_id         TEXT NOT NULL UNIQUE,
    first_name         TEXT,
    last_name          TEXT,
    contact_name       TEXT GENERATED ALWAYS AS (
                           nullif(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), '')
                       ) VIRTUAL,
    phone_number       TEXT,
    email              TEXT,
    country            TEXT,
    language           TEXT,
    tags               TEXT,
    status             TEXT,
    lifecycle          TEXT,
    assignee_user_key  INTEGER REFERENCES dim_user(user_key),
    last_interaction_ts INTEGER,
    last_interaction_local TEXT,
    created_ts         INTEGER,
    created_local      TEXT,
    channels           TEXT,
    custom_fields      TEXT,                -- JSON object: column name -> value
    in_contacts_export INTEGER NOT NULL DEFAULT 0,
    row_hash           INTEGER,
    load_id            INTEGER REFERENCES load_log(load_id)
);

-- Every user seen: from a users file (in_users_export = 1) or only referenced
-- as an assignee, closer, responder or sender.
CREATE TABLE dim_user (
    user_key        INTEGER PRIMARY KEY,
    user_id         TEXT NOT NULL UNIQUE,
    first_name      TEXT,
    last_name       TEXT,
    user_name       TEXT GENERATED ALWAYS AS (
                        coalesce(nullif(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), ''), user_id)
                    ) VIRTUAL,
    email           TEXT,
    role            TEXT,
    teams           TEXT,                   -- the users file's Team value, names joined with ';'
    in_users_export INTEGER NOT NULL DEFAULT 0,
    row_hash        INTEGER,
    load_id         INTEGER REFERENCES load_log(load_id)
);

CREATE TABLE dim_team (
    team_key  INTEGER PRIMARY KEY,
    team_name TEXT NOT NULL UNIQUE
);

-- A user's teams, in the order of the users file.
CREATE TABLE bridge_user_team (
    user_key INTEGER NOT NULL REFERENCES dim_user(user_key),
    team_key INTEGER NOT NULL REFERENCES dim_team(team_key),
    position INTEGER NOT NULL,
    PRIMARY KEY (user_key, team_key)
) WITHOUT ROWID;
CREATE INDEX bridge_user_team_by_team ON bridge_user_team(team_key);

-- Every channel seen: from a channels file (in_channels_export = 1) or only by ID.
CREATE TABLE dim_channel (
    channel_key        INTEGER PRIMARY KEY,
    channel_id         TEXT NOT NULL UNIQUE,
    channel_name       TEXT,
    channel_type       TEXT,
    in_channels_export INTEGER NOT NULL DEFAULT 0,
    row_hash           INTEGER,
    load_id            INTEGER REFERENCES load_log(load_id)
);

CREATE TABLE dim_category (
    category_key  INTEGER PRIMARY KEY,
    category_name TEXT NOT NULL UNIQUE
);

-- Sender Type: 'contact' is incoming, every other value is outgoing and is its source.
CREATE TABLE dim_message_source (
    source_key  INTEGER PRIMARY KEY,
    sender_type TEXT NOT NULL UNIQUE,
    direction   TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing'))
);

-- Content Type / Message Type / Type / Sub Type of a message ('' where absent).
CREATE TABLE dim_message_type (
    message_type_key INTEGER PRIMARY KEY,
    content_type     TEXT NOT NULL,
    message_type     TEXT NOT NULL,
    type             TEXT NOT NULL,
    sub_type         TEXT NOT NULL,
    UNIQUE (content_type, message_type, type, sub_type)
);

-- Facts ----------------------------------------------------------------------

CREATE TABLE fact_conversation (
    conversation_key   INTEGER PRIMARY KEY,
    conversation_id    TEXT NOT NULL UNIQUE,
    export_form        TEXT NOT NULL CHECK (export_form IN ('current', 'legacy')),
    contact_key        INTEGER REFERENCES dim_contact(contact_key),
    started_ts         INTEGER,             -- NULL only where the export left it blank
    started_local      TEXT,
    started_date_key   INTEGER REFERENCES dim_date(date_key),
    started_hour       INTEGER REFERENCES dim_time_of_day(hour),
    resolved_ts        INTEGER,
    resolved_local     TEXT,
    resolved_date_key  INTEGER REFERENCES dim_date(date_key),
    resolved_hour      INTEGER REFERENCES dim_time_of_day(hour),
    first_response_ts  INTEGER,
    first_response_local TEXT,
    assignee_user_key        INTEGER REFERENCES dim_user(user_key),
    first_assignee_user_key  INTEGER REFERENCES dim_user(user_key),
    last_assignee_user_key   INTEGER REFERENCES dim_user(user_key),
    closed_by_user_key       INTEGER REFERENCES dim_user(user_key),
    first_response_by_user_key INTEGER REFERENCES dim_user(user_key),
    outgoing_messages  INTEGER,             -- the export's counts
    incoming_messages  INTEGER,
    category_key       INTEGER REFERENCES dim_category(category_key),
    closing_note_summary TEXT,
    closed_by_source   TEXT,
    closed_by_team_key INTEGER REFERENCES dim_team(team_key),
    opened_by_source   TEXT,
    opened_by_channel_key INTEGER REFERENCES dim_channel(channel_key),
    first_assignment_ts    INTEGER,
    first_assignment_local TEXT,
    last_assignment_ts     INTEGER,
    last_assignment_local  TEXT,
    -- First response and resolution time: the export's value, or derived from
    -- the timestamps (real elapsed seconds) where the export left it blank.
    first_response_seconds      INTEGER,
    first_response_is_derived   INTEGER NOT NULL DEFAULT 0,
    resolution_seconds          INTEGER,
    resolution_is_derived       INTEGER NOT NULL DEFAULT 0,
    time_to_first_assignment_seconds              INTEGER,
    first_assignment_to_first_response_seconds    INTEGER,
    last_assignment_to_response_seconds           INTEGER,
    first_assignment_to_close_seconds             INTEGER,
    last_assignment_to_close_seconds              INTEGER,
    average_response_seconds                      INTEGER,
    number_of_assignments INTEGER,
    number_of_responses   INTEGER,
    row_hash INTEGER NOT NULL,
    load_id  INTEGER NOT NULL REFERENCES load_log(load_id)
);
-- Message linking: the conversations of a contact by start.
CREATE INDEX fact_conversation_by_contact ON fact_conversation(contact_key, started_ts);
CREATE INDEX fact_conversation_by_started ON fact_conversation(started_ts);
CREATE INDEX fact_conversation_by_resolved ON fact_conversation(resolved_ts);

CREATE TABLE fact_message (
    message_key      INTEGER PRIMARY KEY,
    message_id       TEXT NOT NULL UNIQUE,
    sent_ts          INTEGER NOT NULL,
    sent_local       TEXT NOT NULL,
    sent_date_key    INTEGER NOT NULL REFERENCES dim_date(date_key),
    sent_hour        INTEGER NOT NULL REFERENCES dim_time_of_day(hour),
    contact_key      INTEGER REFERENCES dim_contact(contact_key),
    source_key       INTEGER NOT NULL REFERENCES dim_message_source(source_key),
    sender_id        TEXT,                  -- as exported ('.0' removed from user IDs)
    sender_user_key  INTEGER REFERENCES dim_user(user_key),  -- when the sender is a user
    message_type_key INTEGER REFERENCES dim_message_type(message_type_key),
    channel_key      INTEGER REFERENCES dim_channel(channel_key),  -- NULL in older files
    content_raw      TEXT,
    content_text     TEXT,                  -- the text extracted from the JSON Content
    conversation_key INTEGER REFERENCES fact_conversation(conversation_key),  -- NULL: in no conversation
    row_hash INTEGER NOT NULL,
    load_id  INTEGER NOT NULL REFERENCES load_log(load_id)
);
CREATE INDEX fact_message_by_contact ON fact_message(contact_key, sent_ts);
CREATE INDEX fact_message_by_sent ON fact_message(sent_ts);
CREATE INDEX fact_message_by_conversation ON fact_message(conversation_key);

CREATE TABLE fact_failed_message (
    failed_message_key INTEGER PRIMARY KEY,
    message_id       TEXT NOT NULL UNIQUE,
    failed_ts        INTEGER,
    failed_local     TEXT,
    failed_date_key  INTEGER REFERENCES dim_date(date_key),
    failed_hour      INTEGER REFERENCES dim_time_of_day(hour),
    contact_key      INTEGER REFERENCES dim_contact(contact_key),
    channel_key      INTEGER REFERENCES dim_channel(channel_key),
    source_key       INTEGER REFERENCES dim_message_source(source_key),
    sender_id        TEXT,
    sender_user_key  INTEGER REFERENCES dim_user(user_key),
    failure_reason   TEXT,
    row_hash INTEGER NOT NULL,
    load_id  INTEGER NOT NULL REFERENCES load_log(load_id)
);
