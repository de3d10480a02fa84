-- 002_readable_views: one denormalised view per export kind, for ad hoc SQL.
-- Each shows the records loaded from files of that kind, with names resolved
-- and instants as local wall time in the workspace time zone (*_at) and as
-- UTC seconds (*_ts).

CREATE VIEW conversations AS
SELECT
    c.conversation_id,
    ct.contact_id,
    ct.contact_name,
    c.started_local            AS opened_at,
    c.resolved_local           AS closed_at,
    c.first_response_local     AS first_response_at,
    c.started_ts               AS opened_ts,
    c.resolved_ts              AS closed_ts,
    assignee.user_name         AS assignee,
    first_assignee.user_name   AS first_assignee,
    last_assignee.user_name    AS last_assignee,
    closer.user_name           AS closed_by,
    responder.user_name        AS first_response_by,
    team.team_name             AS closed_by_team,
    c.closed_by_source,
    c.opened_by_source,
    ch.channel_id              AS opened_by_channel_id,
    cat.category_name          AS category,
    c.closing_note_summary     AS summary,
    c.incoming_messages,
    c.outgoing_messages,
    c.first_response_seconds,
    c.resolution_seconds,
    c.time_to_first_assignment_seconds,
    c.first_assignment_to_first_response_seconds,
    c.last_assignment_to_response_seconds,
    c.first_assignment_to_close_seconds,
    c.last_assignment_to_close_seconds,
    c.average_response_seconds,
    c.number_of_assignments,
    c.number_of_responses,
    c.export_form
FROM fact_conversation c
LEFT JOIN dim_contact ct            ON ct.contact_key = c.contact_key
LEFT JOIN dim_user assignee         ON assignee.user_key = c.assignee_user_key
LEFT JOIN dim_user first_assignee   ON first_assignee.user_key = c.first_assignee_user_key
LEFT JOIN dim_user last_assignee    ON last_assignee.user_key = c.last_assignee_user_key
LEFT JOIN dim_user closer           ON closer.user_key = c.closed_by_user_key
LEFT JOIN dim_user responder        ON responder.user_key = c.first_response_by_user_key
LEFT JOIN dim_team team             ON team.team_key = c.closed_by_team_key
LEFT JOIN dim_channel ch            ON ch.channel_key = c.opened_by_channel_key
LEFT JOIN dim_category cat          ON cat.category_key = c.category_key;

CREATE VIEW messages AS
SELECT
    m.message_id,
    m.sent_local        AS sent_at,
    m.sent_ts,
    ct.contact_id,
    s.sender_type,
    s.direction,
    m.sender_id,
    u.user_name         AS sender_user_name,
    ch.channel_id,
    ch.channel_name,
    t.content_type,
    t.message_type,
    t.type,
    t.sub_type,
    m.content_text,
    m.content_raw,
    c.conversation_id
FROM fact_message m
JOIN dim_message_source s      ON s.source_key = m.source_key
LEFT JOIN dim_contact ct       ON ct.contact_key = m.contact_key
LEFT JOIN dim_user u           ON u.user_key = m.sender_user_key
LEFT JOIN dim_channel ch       ON ch.channel_key = m.channel_key
LEFT JOIN dim_message_type t   ON t.message_type_key = m.message_type_key
LEFT JOIN fact_conversation c  ON c.conversation_key = m.conversation_key;

CREATE VIEW failed_messages AS
SELECT
    f.message_id,
    f.failed_local      AS failed_at,
    f.failed_ts,
    ct.contact_id,
    ch.channel_id,
    s.sender_type,
    f.sender_id,
    f.failure_reason
FROM fact_failed_message f
LEFT JOIN dim_contact ct        ON ct.contact_key = f.contact_key
LEFT JOIN dim_channel ch        ON ch.channel_key = f.channel_key
LEFT JOIN dim_message_source s  ON s.source_key = f.source_key;

CREATE VIEW contacts AS
SELECT contact_id, first_name, last_name, contact_name, phone_number, email,
       country, language, tags, status, lifecycle,
       (SELECT user_id FROM dim_user u WHERE u.user_key = c.assignee_user_key) AS assignee_id,
       last_interaction_local AS last_interaction_at,
       created_local          AS created_at,
       channels, custom_fields
FROM dim_contact c
WHERE in_contacts_export = 1;

CREATE VIEW users AS
SELECT user_id, first_name, last_name, user_name, email, role, teams
FROM dim_user
WHERE in_users_export = 1;

CREATE VIEW channels AS
SELECT channel_id, channel_name, channel_type
FROM dim_channel
WHERE in_channels_export = 1;

CREATE VIEW rejects AS
SELECT r.file_name AS file, r.line, r.reason, l.load_id, l.started_at AS loaded_at, r.record
FROM rejected_rows r JOIN load_log l USING (load_id);
