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
WITH filtered AS (
    SELECT c.started_ts, c.started_local, c.resolved_ts, c.resolved_local
    FROM fact_conversation c
    WHERE (:team_key IS NULL OR c.closed_by_team_key = :team_key)
      AND (:user_key IS NULL OR c.assignee_user_key = :user_key)
      AND (:channel_key IS NULL OR c.opened_by_channel_key = :channel_key)
),
events AS (
    SELECT period_start(coalesce(local_time(started_ts, :tz), started_local), :by) AS period, 1 AS opened, 0 AS closed
    FROM filtered
    WHERE started_ts >= :from_ts AND started_ts < :to_ts
    UNION ALL
    SELECT period_start(coalesce(local_time(resolved_ts, :tz), resolved_local), :by), 0, 1
    FROM filtered
    WHERE resolved_ts >= :from_ts AND resolved_ts < :to_ts
)
SELECT period, sum(opened) AS opened, sum(closed) AS closed
FROM events
GROUP BY period
ORDER BY period
