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
WITH opened AS (
    -- Per local day first: the period is then worked out once per day.
    SELECT substr(CASE WHEN :tz IS NULL THEN c.started_local ELSE local_time(c.started_ts, :tz) END, 1, 10) AS day, count(*) AS conversations
    FROM fact_conversation c
    WHERE c.started_ts >= :from_ts AND c.started_ts < :to_ts
      AND (:team_key IS NULL OR c.closed_by_team_key = :team_key)
      AND (:user_key IS NULL OR c.assignee_user_key = :user_key)
      AND (:channel_key IS NULL OR c.opened_by_channel_key = :channel_key)
    GROUP BY day
),
closed AS (
    SELECT substr(CASE WHEN :tz IS NULL THEN c.resolved_local ELSE local_time(c.resolved_ts, :tz) END, 1, 10) AS day, count(*) AS conversations
    FROM fact_conversation c
    WHERE c.resolved_ts >= :from_ts AND c.resolved_ts < :to_ts
      AND (:team_key IS NULL OR c.closed_by_team_key = :team_key)
      AND (:user_key IS NULL OR c.assignee_user_key = :user_key)
      AND (:channel_key IS NULL OR c.opened_by_channel_key = :channel_key)
    GROUP BY day
),
days AS (
    SELECT day, conversations AS opened, 0 AS closed FROM opened
    UNION ALL
    SELECT day, 0, conversations FROM closed
)
SELECT period_start(day, :by) AS period, sum(opened) AS opened, sum(closed) AS closed
FROM days
GROUP BY 1
ORDER BY 1
