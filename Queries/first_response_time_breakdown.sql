-- name: first_response_time_breakdown
-- title: First response time breakdown
-- description: Conversations closed in the period by first response time bucket, with each bucket's share.
-- anchor: closed (DateTime Conversation Resolved)
-- grain: one row per bucket, all seven, zeros included
-- params: from, to, tz, team, user, channel
-- order: bucket, fastest first
-- notes: Lower bounds are inclusive (exactly 30 s is in 30s - 2m). Conversations without a first
--   response fall in no bucket and are not in the share's denominator; with none at all, the shares
--   are blank. Filters as in conversation_list.
-- columns:
--   bucket: < 30s, 30s - 2m, 2m - 5m, 5m - 10m, 10m - 30m, 30m - 1h, > 1h
--   conversations: conversations whose first response time falls in the bucket
--   share_pct: the bucket's share of conversations with a first response, in percent
WITH buckets(position, bucket, lower_seconds, upper_seconds) AS (
    VALUES (1, '< 30s', NULL, 30), (2, '30s - 2m', 30, 120), (3, '2m - 5m', 120, 300),
           (4, '5m - 10m', 300, 600), (5, '10m - 30m', 600, 1800), (6, '30m - 1h', 1800, 3600),
           (7, '> 1h', 3600, NULL)
),
closed AS (
    SELECT c.first_response_seconds AS seconds
    FROM fact_conversation c
    WHERE c.resolved_ts >= :from_ts AND c.resolved_ts < :to_ts
      AND c.first_response_seconds IS NOT NULL
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
