-- name: conversations_opened_heatmap
-- title: Busiest times
-- description: Conversations opened per weekday and hour of the day: all 168 cells, zeros included.
-- anchor: opened (DateTime Conversation Started)
-- grain: one row per weekday and hour
-- params: from, to, tz, team, user, channel
-- display: heatmap
-- order: weekday, hour
-- columns:
--   weekday: 1 = Monday … 7 = Sunday, in the reporting time zone
--   weekday_name: Mon … Sun
--   hour: 0–23, the local hour the conversation was opened
--   conversations_opened: conversations opened in that hour of that weekday
WITH weekdays(weekday, weekday_name) AS (
    VALUES (1, 'Mon'), (2, 'Tue'), (3, 'Wed'), (4, 'Thu'), (5, 'Fri'), (6, 'Sat'), (7, 'Sun')
),
opened AS (
    SELECT CASE WHEN :tz IS NULL THEN c.started_local ELSE local_time(c.started_ts, :tz) END AS opened_at
    FROM fact_conversation c
    WHERE c.started_ts >= :from_ts AND c.started_ts < :to_ts
      AND (:team_key IS NULL OR c.closed_by_team_key = :team_key)
      AND (:user_key IS NULL OR c.assignee_user_key = :user_key)
      AND (:channel_key IS NULL OR c.opened_by_channel_key = :channel_key)
),
hours AS (
    -- Per local date and hour first: the weekday is then worked out once per hour, not per conversation.
    SELECT substr(opened_at, 1, 13) AS date_hour, count(*) AS conversations_opened
    FROM opened
    GROUP BY 1
),
cells AS (
    SELECT (CAST(strftime('%w', substr(date_hour, 1, 10)) AS INTEGER) + 6) % 7 + 1 AS weekday,
           CAST(substr(date_hour, 12, 2) AS INTEGER)                             AS hour,
           sum(conversations_opened)                                             AS conversations_opened
    FROM hours
    GROUP BY 1, 2
)
SELECT d.weekday, d.weekday_name, h.hour, coalesce(cells.conversations_opened, 0) AS conversations_opened
FROM weekdays d
CROSS JOIN dim_time_of_day h
LEFT JOIN cells ON cells.weekday = d.weekday AND cells.hour = h.hour
ORDER BY d.weekday, h.hour
