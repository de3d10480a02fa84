-- name: resolution_time_breakdown
-- title: Resolution time breakdown
-- description: Conversations closed in the period by resolution time bucket, with each bucket's share.
-- anchor: closed (DateTime Conversation Resolved)
-- grain: one row per bucket, all six, zeros included
-- params: from, to, tz, team, user, channel, business-hours
-- order: bucket, fastest first
-- notes: Lower bounds are inclusive (exactly 1 h is in 1h - 4h). Conversations without a resolution
--   time fall in no bucket and are not in the share's denominator; with none at all, the shares are
--   blank. Filters as in conversation_list.
-- business_hours: bucket
-- columns:
--   bucket: < 1h, 1h - 4h, 4h - 8h, 8h - 24h, 1d - 3d, > 3d
--   conversations: conversations whose resolution time falls in the bucket
--   share_pct: the bucket's share of conversations with a resolution time, in percent
WITH buckets(position, bucket) AS (
    VALUES (1, '< 1h'),
           (2, '1h - 4h'),
           (3, '4h - 8h'),
           (4, '8h - 24h'),
           (5, '1d - 3d'),
           (6, '> 3d')
),
closed AS (
    -- Each time worked out once: a LIMIT keeps SQLite from pasting this expression into
    -- every test below (in business hours, a function call each).
    SELECT -- include: resolution_seconds(c)
           AS seconds
    FROM fact_conversation c
    WHERE -- include: closed_in_period(c)
      AND -- include: conversation_filters(c)
    LIMIT 9223372036854775807
),
totals AS (
    -- One pass, no sort: how many are under each bucket's upper bound, one comparison per
    -- bound (a bucket's count is the difference; two comparisons per bucket took twice the time).
    SELECT count(*) FILTER (WHERE seconds < 3600) AS under_3600,
           count(*) FILTER (WHERE seconds < 14400) AS under_14400,
           count(*) FILTER (WHERE seconds < 28800) AS under_28800,
           count(*) FILTER (WHERE seconds < 86400) AS under_86400,
           count(*) FILTER (WHERE seconds < 259200) AS under_259200,
           count(*) AS total
    FROM closed
    WHERE seconds IS NOT NULL
),
counts AS (
    SELECT b.position, b.bucket,
           CASE b.position  -- counts are never NULL: count(*) of no rows is 0
               WHEN 1 THEN t.under_3600
               WHEN 2 THEN t.under_14400 - t.under_3600
               WHEN 3 THEN t.under_28800 - t.under_14400
               WHEN 4 THEN t.under_86400 - t.under_28800
               WHEN 5 THEN t.under_259200 - t.under_86400
               WHEN 6 THEN t.total - t.under_259200
           END AS conversations,
           t.total
    FROM buckets b
    CROSS JOIN totals t
)
SELECT bucket, conversations, div_round(100 * conversations, nullif(total, 0), 2) AS share_pct
FROM counts
ORDER BY position
