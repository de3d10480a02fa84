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
WITH buckets(position, bucket, lower_seconds, upper_seconds) AS (
    VALUES (1, '< 1h', NULL, 3600), (2, '1h - 4h', 3600, 14400), (3, '4h - 8h', 14400, 28800),
           (4, '8h - 24h', 28800, 86400), (5, '1d - 3d', 86400, 259200), (6, '> 3d', 259200, NULL)
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
counts AS (
    SELECT b.position, b.bucket, count(c.seconds) AS conversations
    FROM buckets b
    LEFT JOIN closed c ON (b.lower_seconds IS NULL OR c.seconds >= b.lower_seconds)
                      AND (b.upper_seconds IS NULL OR c.seconds < b.upper_seconds)
    GROUP BY b.position, b.bucket
)
SELECT bucket, conversations, div_round(100 * conversations, nullif(sum(conversations) OVER (), 0), 2) AS share_pct
FROM counts
ORDER BY position
