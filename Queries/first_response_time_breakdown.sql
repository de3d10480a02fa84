-- name: first_response_time_breakdown
-- title: First response time breakdown
-- description: Conversations closed in the period by first response time bucket, with each bucket's share.
-- anchor: closed (DateTime Conversation Resolved)
-- grain: one row per bucket, all seven, zeros included
-- params: from, to, tz, team, user, channel, business-hours
-- order: bucket, fastest first
-- notes: Lower bounds are inclusive (exactly 30 s is in 30s - 2m). Conversations without a first
--   response fall in no bucket and are not in the share's denominator; with none at all, the shares
--   are blank. Filters as in conversation_list.
-- business_hours: bucket
-- columns:
--   bucket: < 30s, 30s - 2m, 2m - 5m, 5m - 10m, 10m - 30m, 30m - 1h, > 1h
--   conversations: conversations whose first response time falls in the bucket
--   share_pct: the bucket's share of conversations with a first response, in percent
WITH buckets(position, bucket) AS (
    VALUES (1, '< 30s'),
           (2, '30s - 2m'),
           (3, '2m - 5m'),
           (4, '5m - 10m'),
           (5, '10m - 30m'),
           (6, '30m - 1h'),
           (7, '> 1h')
),
closed AS (
    -- Each time worked out once: a LIMIT keeps SQLite from pasting this expression into
    -- every test below (in business hours, a function call each).
    SELECT -- include: first_response_seconds(c)
           AS seconds
    FROM fact_conversation c
    WHERE -- include: closed_in_period(c)
      AND -- include: conversation_filters(c)
    LIMIT 9223372036854775807
),
totals AS (
    -- One pass, no sort: how many are under each bucket's upper bound, one comparison per
    -- bound (a bucket's count is the difference; two comparisons per bucket took twice the time).
    SELECT count(*) FILTER (WHERE seconds < 30) AS under_30,
           count(*) FILTER (WHERE seconds < 120) AS under_120,
           count(*) FILTER (WHERE seconds < 300) AS under_300,
           count(*) FILTER (WHERE seconds < 600) AS under_600,
           count(*) FILTER (WHERE seconds < 1800) AS under_1800,
           count(*) FILTER (WHERE seconds < 3600) AS under_3600,
           count(*) AS total
    FROM closed
    WHERE seconds IS NOT NULL
),
counts AS (
    SELECT b.position, b.bucket,
           CASE b.position  -- counts are never NULL: count(*) of no rows is 0
               WHEN 1 THEN t.under_30
               WHEN 2 THEN t.under_120 - t.under_30
               WHEN 3 THEN t.under_300 - t.under_120
               WHEN 4 THEN t.under_600 - t.under_300
               WHEN 5 THEN t.under_1800 - t.under_600
               WHEN 6 THEN t.under_3600 - t.under_1800
               WHEN 7 THEN t.total - t.under_3600
           END AS conversations,
           t.total
    FROM buckets b
    CROSS JOIN totals t
)
SELECT bucket, conversations, div_round(100 * conversations, nullif(total, 0), 2) AS share_pct
FROM counts
ORDER BY position
