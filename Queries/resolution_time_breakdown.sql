-- name: resolution_time_breakdown
-- title: Resolution time breakdown
-- description: Conversations closed in the period by resolution time bucket, with each bucket's share.
-- anchor: closed (DateTime Conversation Resolved)
-- grain: one row per bucket, all six, zeros included
-- params: from, to, tz, team, user, channel
-- order: bucket, fastest first
-- notes: Lower bounds are inclusive (exactly 1 h is in 1h - 4h). Conversations without a resolution
--   time fall in no bucket and are not in the share's denominator; with none at all, the shares are
--   blank. Filters as in conversation_list.
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
    SELECT c.resolution_seconds AS seconds
    FROM fact_conversation c
    WHERE c.resolved_ts >= :from_ts AND c.resolved_ts < :to_ts
      AND c.resolution_seconds IS NOT NULL
      AND (:team_key IS NULL OR c.closed_by_team_key = :team_key)
      AND (:user_key IS NULL OR c.assignee_user_key = :user_key)
      AND (:channel_key IS NULL OR c.opened_by_channel_key = :channel_key)
),
totals AS (
    -- One pass, no sort: each bucket's count, lower bound inclusive.
    SELECT sum(seconds < 3600) AS b1,
           sum(seconds >= 3600 AND seconds < 14400) AS b2,
           sum(seconds >= 14400 AND seconds < 28800) AS b3,
           sum(seconds >= 28800 AND seconds < 86400) AS b4,
           sum(seconds >= 86400 AND seconds < 259200) AS b5,
           sum(seconds >= 259200) AS b6,
           count(*) AS total
    FROM closed
),
counts AS (
    SELECT b.position, b.bucket, coalesce(CASE b.position WHEN 1 THEN t.b1 WHEN 2 THEN t.b2 WHEN 3 THEN t.b3 WHEN 4 THEN t.b4 WHEN 5 THEN t.b5 WHEN 6 THEN t.b6 END, 0) AS conversations, t.total
    FROM buckets b
    CROSS JOIN totals t
)
SELECT bucket, conversations, div_round(100 * conversations, nullif(total, 0), 2) AS share_pct
FROM counts
ORDER BY position
