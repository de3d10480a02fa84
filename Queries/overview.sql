-- name: overview
-- title: Overview
-- description: The headline KPIs of the period, against the same-length period just before it.
-- anchor: each its own: opened, closed, message time; the response times over conversations closed
-- grain: one row per KPI, in a fixed order
-- params: from, to, tz, business-hours
-- order: the KPIs in the order below
-- notes: previous_value needs both --from and --to: it is the same number of days just before --from.
--   change_pct = (value - previous_value) / previous_value × 100 from the shown values, blank when
--   the previous value is 0 or blank. With --business-hours the four times are in business hours and
--   their KPIs are named …_business_seconds.
-- columns:
--   kpi: conversations_opened, conversations_closed, incoming_messages, outgoing_messages,
--     avg_first_response_seconds, median_first_response_seconds, avg_resolution_seconds,
--     median_resolution_seconds
--   value: the KPI over the period
--   previous_value: the KPI over the period just before, of the same length
--   change_pct: the change from previous_value to value, in percent
WITH periods AS (
    SELECT 'current' AS period
    UNION ALL
    SELECT 'previous' WHERE :prev_from_ts IS NOT NULL
),
opened AS (
    -- One count per period, not a subquery per row of periods: Citus runs no correlated
    -- subquery over a distributed table.
    SELECT 'current' AS period, count(*) AS conversations_opened
    FROM fact_conversation c
    WHERE c.started_date_key BETWEEN :from_date_key AND :to_date_key
      AND c.started_ts >= :from_ts AND c.started_ts < :to_ts
    UNION ALL
    SELECT 'previous', count(*)
    FROM fact_conversation c
    WHERE :prev_from_ts IS NOT NULL AND c.started_date_key BETWEEN :prev_from_date_key AND :prev_to_date_key
      AND c.started_ts >= :prev_from_ts AND c.started_ts < :prev_to_ts
    HAVING :prev_from_ts IS NOT NULL
),
closed AS (
    -- One aggregate per period, not a join grouped by period: no sort of every conversation.
    -- Each conversation's two times are worked out once, in the subquery: a LIMIT keeps
    -- SQLite from pasting their expressions into every aggregate (in business hours, a
    -- function call each).
    SELECT 'current'                                             AS period,
           count(*)                                              AS conversations_closed,
           div_round(sum(first_response), count(first_response)) AS avg_first_response_seconds,
           round_half(median(first_response))                    AS median_first_response_seconds,
           div_round(sum(resolution), count(resolution))         AS avg_resolution_seconds,
           round_half(median(resolution))                        AS median_resolution_seconds
    FROM (SELECT -- include: first_response_seconds(c)
                 AS first_response,
                 -- include: resolution_seconds(c)
                 AS resolution
          FROM fact_conversation c
          WHERE -- include: closed_in_period(c)
          LIMIT 9223372036854775807) AS current_times
    UNION ALL
    SELECT 'previous',
           count(*),
           div_round(sum(first_response), count(first_response)),
           round_half(median(first_response)),
           div_round(sum(resolution), count(resolution)),
           round_half(median(resolution))
    FROM (SELECT -- include: first_response_seconds(c)
                 AS first_response,
                 -- include: resolution_seconds(c)
                 AS resolution
          FROM fact_conversation c
          WHERE :prev_from_ts IS NOT NULL AND c.resolved_date_key BETWEEN :prev_from_date_key AND :prev_to_date_key
            AND c.resolved_ts >= :prev_from_ts AND c.resolved_ts < :prev_to_ts
          LIMIT 9223372036854775807) AS previous_times
    HAVING :prev_from_ts IS NOT NULL
),
message_counts AS (
    -- One aggregate per period and source of counts, not a join grouped by period: no sort of
    -- every summary row. In the workspace's time zone, the daily summary of the messages ...
    SELECT 'current' AS period,
           sum(CASE WHEN s.direction = 'incoming' THEN a.messages END) AS incoming,
           sum(CASE WHEN s.direction = 'outgoing' THEN a.messages END) AS outgoing
    FROM agg_message_daily a
    -- include: message_source(a)
    WHERE :tz IS NULL AND a.sent_date_key BETWEEN :from_date_key AND :to_date_key
    UNION ALL
    SELECT 'previous',
           sum(CASE WHEN s.direction = 'incoming' THEN a.messages END),
           sum(CASE WHEN s.direction = 'outgoing' THEN a.messages END)
    FROM agg_message_daily a
    -- include: message_source(a)
    WHERE :tz IS NULL AND :prev_from_ts IS NOT NULL
      AND a.sent_date_key BETWEEN :prev_from_date_key AND :prev_to_date_key
    UNION ALL
    -- ... in another, the messages themselves.
    SELECT 'current', count(*) FILTER (WHERE s.direction = 'incoming'), count(*) FILTER (WHERE s.direction = 'outgoing')
    FROM fact_message m
    -- include: message_source(m)
    WHERE :tz IS NOT NULL AND m.sent_ts >= :from_ts AND m.sent_ts < :to_ts
    UNION ALL
    SELECT 'previous', count(*) FILTER (WHERE s.direction = 'incoming'), count(*) FILTER (WHERE s.direction = 'outgoing')
    FROM fact_message m
    -- include: message_source(m)
    WHERE :tz IS NOT NULL AND :prev_from_ts IS NOT NULL AND m.sent_ts >= :prev_from_ts AND m.sent_ts < :prev_to_ts
),
messages AS (
    SELECT p.period,
           coalesce(sum(mc.incoming), 0) AS incoming_messages,
           coalesce(sum(mc.outgoing), 0) AS outgoing_messages
    FROM periods p
    LEFT JOIN message_counts mc ON mc.period = p.period
    GROUP BY p.period
),
kpis(period, position, kpi, value) AS (
    SELECT period, 1, 'conversations_opened', conversations_opened FROM opened
    UNION ALL SELECT period, 2, 'conversations_closed', conversations_closed FROM closed
    UNION ALL SELECT period, 3, 'incoming_messages', incoming_messages FROM messages
    UNION ALL SELECT period, 4, 'outgoing_messages', outgoing_messages FROM messages
    -- In business hours, the times' names say so.
    UNION ALL SELECT period, 5, CASE WHEN :business_hours IS NULL THEN 'avg_first_response_seconds' ELSE 'avg_first_response_business_seconds' END,
                     avg_first_response_seconds FROM closed
    UNION ALL SELECT period, 6, CASE WHEN :business_hours IS NULL THEN 'median_first_response_seconds' ELSE 'median_first_response_business_seconds' END,
                     median_first_response_seconds FROM closed
    UNION ALL SELECT period, 7, CASE WHEN :business_hours IS NULL THEN 'avg_resolution_seconds' ELSE 'avg_resolution_business_seconds' END,
                     avg_resolution_seconds FROM closed
    UNION ALL SELECT period, 8, CASE WHEN :business_hours IS NULL THEN 'median_resolution_seconds' ELSE 'median_resolution_business_seconds' END,
                     median_resolution_seconds FROM closed
)
SELECT cur.kpi,
       cur.value,
       prev.value AS previous_value,
       CASE WHEN prev.value <> 0 THEN div_round(100 * (cur.value - prev.value), prev.value, 2) END AS change_pct
FROM kpis cur
LEFT JOIN kpis prev ON prev.kpi = cur.kpi AND prev.period = 'previous'
WHERE cur.period = 'current'
ORDER BY cur.position
