-- name: conversations_opened_vs_closed
-- title: Conversations opened vs closed
-- description: Conversations opened and closed per period.
-- anchor: each its own: opened by DateTime Conversation Started, closed by DateTime Conversation Resolved
-- grain: one row per period with an opened or a closed conversation
-- params: from, to, tz, by, team, user, channel
-- order: period
-- notes: Filters as in conversation_list.
-- columns:
--   period: the day (YYYY-MM-DD), week (its Monday's date) or month (YYYY-MM), with --by (default day)
--   opened: conversations opened in the period
--   closed: conversations closed in the period
WITH days(day, opened, closed) AS (
    -- Per local day first: the period is then worked out once per day. In the workspace's
    -- time zone, the stored date keys, counted in index order (no sort of every conversation) ...
    SELECT d.date, o.conversations, 0
    FROM (SELECT c.started_date_key AS date_key, count(*) AS conversations
          FROM fact_conversation c
          WHERE :tz IS NULL AND -- include: opened_in_period(c)
            AND -- include: conversation_filters(c)
          GROUP BY c.started_date_key) o
    JOIN dim_date d ON d.date_key = o.date_key
    UNION ALL
    SELECT d.date, 0, cl.conversations
    FROM (SELECT c.resolved_date_key AS date_key, count(*) AS conversations
          FROM fact_conversation c
          WHERE :tz IS NULL AND -- include: closed_in_period(c)
            AND -- include: conversation_filters(c)
          GROUP BY c.resolved_date_key) cl
    JOIN dim_date d ON d.date_key = cl.date_key
    UNION ALL
    -- ... in another, each conversation's local day there.
    SELECT substr(local_time(c.started_ts, :tz), 1, 10), count(*), 0
    FROM fact_conversation c
    WHERE :tz IS NOT NULL AND -- include: opened_in_period(c)
      AND -- include: conversation_filters(c)
    GROUP BY 1
    UNION ALL
    SELECT substr(local_time(c.resolved_ts, :tz), 1, 10), 0, count(*)
    FROM fact_conversation c
    WHERE :tz IS NOT NULL AND -- include: closed_in_period(c)
      AND -- include: conversation_filters(c)
    GROUP BY 1
)
SELECT period_start(day, :by) AS period, sum(opened) AS opened, sum(closed) AS closed
FROM days
GROUP BY 1
ORDER BY 1
