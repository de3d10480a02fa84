-- name: user_performance
-- title: User performance
-- description: Per user: conversations assigned and closed, contacts, messages sent and response times.
-- anchor: closed (DateTime Conversation Resolved); messages_sent by message time
-- grain: one row per user with any activity in the period
-- params: from, to, tz, team, user, limit, business-hours
-- order: conversations_closed descending, then user_name
-- notes: --team keeps the users whose teams (users file) include it; --user keeps that user.
--   The three times are over the conversations the user closed, whoever answered them.
-- business_hours: avg_first_response_seconds, avg_resolution_seconds, max_resolution_seconds
-- columns:
--   user_id: the user's ID
--   user_name: First Name + Last Name from the users file, else the ID
--   team: the user's teams from the users file, joined with ;
--   conversations_assigned: conversations closed in the period whose Assignee is the user
--   conversations_closed: conversations closed in the period whose Closed By is the user
--   unique_contacts_closed: distinct contacts of the conversations the user closed
--   messages_sent: messages with Sender Type user sent by the user in the period
--   avg_first_response_seconds: mean first response time of the conversations the user closed
--   avg_resolution_seconds: mean resolution time of the conversations the user closed
--   max_resolution_seconds: longest resolution time of the conversations the user closed
WITH assigned AS (
    -- Each grouping reads the index led by its user, in order: no sort of every closed
    -- conversation. The period is tested row by row (+), so that SQLite does not read the
    -- period's range of the closed index instead and sort it.
    SELECT c.assignee_user_key AS user_key, count(*) AS conversations_assigned
    FROM fact_conversation c
    WHERE c.assignee_user_key IS NOT NULL
      AND -- include: closed_in_period(+c)
    GROUP BY c.assignee_user_key
),
closers AS (
    SELECT c.closed_by_user_key AS user_key,
           count(*)                                                           AS conversations_closed,
           -- Contacts come in order within each closer (the index): counted in one pass.
           count_distinct(c.contact_key)                                      AS unique_contacts_closed,
           div_round(sum(-- include: first_response_seconds(c)
                     ),
                     count(-- include: first_response_seconds(c)
                     ))                                                       AS avg_first_response_seconds,
           div_round(sum(-- include: resolution_seconds(c)
                     ),
                     count(-- include: resolution_seconds(c)
                     ))                                                       AS avg_resolution_seconds,
           max(-- include: resolution_seconds(c)
              )                                                               AS max_resolution_seconds
    FROM fact_conversation c
    WHERE c.closed_by_user_key IS NOT NULL
      AND -- include: closed_in_period(+c)
    GROUP BY c.closed_by_user_key
),
sent AS (
    -- In the workspace's time zone, the daily summary of the messages, read per user in
    -- index order (no sort) ...
    SELECT a.sender_user_key AS user_key, sum(a.messages) AS messages_sent
    FROM agg_message_daily a
    WHERE :tz IS NULL AND a.sender_user_key IS NOT NULL
      AND +a.sent_date_key BETWEEN :from_date_key AND :to_date_key
      AND a.source_key IN (SELECT source_key FROM dim_message_source WHERE sender_type = 'user')
    GROUP BY a.sender_user_key
    UNION ALL
    -- ... in another, the messages themselves.
    SELECT m.sender_user_key, count(*)
    FROM fact_message m
    WHERE :tz IS NOT NULL AND m.sender_user_key IS NOT NULL
      AND m.sent_ts >= :from_ts AND m.sent_ts < :to_ts
      AND m.source_key IN (SELECT source_key FROM dim_message_source WHERE sender_type = 'user')
    GROUP BY m.sender_user_key
)
SELECT u.user_id,
       u.user_name,
       nullif(u.teams, '')                      AS team,
       coalesce(a.conversations_assigned, 0)    AS conversations_assigned,
       coalesce(cl.conversations_closed, 0)     AS conversations_closed,
       coalesce(cl.unique_contacts_closed, 0)   AS unique_contacts_closed,
       coalesce(s.messages_sent, 0)             AS messages_sent,
       cl.avg_first_response_seconds,
       cl.avg_resolution_seconds,
       cl.max_resolution_seconds
FROM dim_user u
LEFT JOIN assigned a ON a.user_key = u.user_key
LEFT JOIN closers cl ON cl.user_key = u.user_key
LEFT JOIN sent s     ON s.user_key = u.user_key
WHERE (a.user_key IS NOT NULL OR cl.user_key IS NOT NULL OR s.user_key IS NOT NULL)
  AND -- include: user_filters(u)
ORDER BY conversations_closed DESC, u.user_name, natural_id_key(u.user_id)
LIMIT coalesce(:limit, 9223372036854775807)
