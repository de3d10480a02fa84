-- name: leaderboard_first_response_time
-- title: Leaderboard: first response time
-- description: Users (or teams) by fastest average first response, over conversations closed in the period.
-- anchor: closed (DateTime Conversation Resolved)
-- grain: one row per user, or per team with --group-by team
-- params: from, to, tz, group-by, team, channel, limit, business-hours
-- order: average ascending (exact, before rounding), then name; groups without an average last
-- notes: --group-by user (default) groups by First Response By, or Assignee where that is blank or
--   absent (legacy files); --group-by team by Closed By Team. Conversations without either are left
--   out. conversations counts every conversation of the group; the statistics leave out those without
--   a first response. Top 10 unless --limit.
-- business_hours: avg_first_response_seconds, median_first_response_seconds, p90_first_response_seconds
-- columns:
--   rank: 1…n in this order, no shared ranks
--   name: the user's name (else ID) or the team's name
--   conversations: conversations of the group closed in the period
--   avg_first_response_seconds: mean first response time, rounded half away from zero
--   median_first_response_seconds: median first response time, rounded half away from zero
--   p90_first_response_seconds: 90th percentile (nearest rank) of first response time
WITH groups AS (
    -- By user (the default): the index led by the first responder (else the assignee), read
    -- in its order, so SQLite groups without sorting every closed conversation. The period is
    -- tested row by row (+), so that SQLite does not read the period's range of the closed
    -- index and sort it ...
    SELECT coalesce(c.first_response_by_user_key, c.assignee_user_key) AS group_key,
           -- The user's name in `named`: PostgreSQL lets a subquery here read grouped
           -- columns only, not a grouped expression's.
           NULL AS name,
           count(*) AS conversations,
           sum(-- include: first_response_seconds(c)
               ) AS total,
           count(-- include: first_response_seconds(c)
               ) AS answered,
           median(-- include: first_response_seconds(c)
               ) AS median,
           p90(-- include: first_response_seconds(c)
               ) AS p90
    FROM fact_conversation c
    WHERE coalesce(:group_by, 'user') = 'user' AND coalesce(c.first_response_by_user_key, c.assignee_user_key) IS NOT NULL
      AND -- include: closed_in_period(+c)
      AND -- include: team_filter(c)
      AND -- include: channel_filter(c)
    GROUP BY coalesce(c.first_response_by_user_key, c.assignee_user_key)
    UNION ALL
    -- ... by team (Closed By Team): the period's range of the closed index, sorted.
    SELECT c.closed_by_team_key,
           (SELECT team_name FROM dim_team WHERE team_key = c.closed_by_team_key),
           count(*),
           sum(-- include: first_response_seconds(c)
               ),
           count(-- include: first_response_seconds(c)
               ),
           median(-- include: first_response_seconds(c)
               ),
           p90(-- include: first_response_seconds(c)
               )
    FROM fact_conversation c
    WHERE :group_by = 'team' AND c.closed_by_team_key IS NOT NULL
      AND -- include: closed_in_period(c)
      AND -- include: team_filter(c)
      AND -- include: channel_filter(c)
    GROUP BY c.closed_by_team_key
),
named AS (
    SELECT group_key,
           CASE WHEN :group_by = 'team' THEN name ELSE (SELECT user_name FROM dim_user WHERE user_key = group_key) END AS name,
           conversations, total, answered, median, p90
    FROM groups
)
SELECT row_number() OVER (ORDER BY answered = 0, CAST(total AS DOUBLE PRECISION) / nullif(answered, 0), name, group_key) AS rank,
       name,
       conversations,
       div_round(total, answered) AS avg_first_response_seconds,
       round_half(median)         AS median_first_response_seconds,
       p90                        AS p90_first_response_seconds
FROM named
ORDER BY rank
LIMIT coalesce(:limit, 10)
