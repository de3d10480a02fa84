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
hours(day, hour, conversations_opened) AS (
    -- Per local date and hour first: the weekday is then worked out once per hour. In the
    -- workspace's time zone, the stored date key and hour, counted in index order (no sort of
    -- every conversation) ...
    SELECT d.date, h.hour, h.conversations_opened
    FROM (SELECT c.started_date_key AS date_key, c.started_hour AS hour, count(*) AS conversations_opened
          FROM fact_conversation c
          WHERE :tz IS NULL AND -- include: opened_in_period(c)
            AND -- include: conversation_filters(c)
          GROUP BY c.started_date_key, c.started_hour) h
    JOIN dim_date d ON d.date_key = h.date_key
    UNION ALL
    -- ... in another, each conversation's local time there.
    SELECT substr(opened_at, 1, 10), CAST(substr(opened_at, 12, 2) AS INTEGER), count(*)
    FROM (SELECT local_time(c.started_ts, :tz) AS opened_at
          FROM fact_conversation c
          WHERE :tz IS NOT NULL AND -- include: opened_in_period(c)
            AND -- include: conversation_filters(c)
         ) AS local_starts
    GROUP BY substr(opened_at, 1, 10), CAST(substr(opened_at, 12, 2) AS INTEGER)
),
cells AS (
    SELECT weekday(day) AS weekday, hour, sum(conversations_opened) AS conversations_opened
    FROM hours
    GROUP BY 1, 2
)
SELECT d.weekday, d.weekday_name, h.hour, coalesce(cells.conversations_opened, 0) AS conversations_opened
FROM weekdays d
CROSS JOIN dim_time_of_day h
LEFT JOIN cells ON cells.weekday = d.weekday AND cells.hour = h.hour
ORDER BY d.weekday, h.hour
