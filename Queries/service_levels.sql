-- name: service_levels
-- title: Service levels
-- description: How many conversations closed in the period met the first-response and resolution targets.
-- anchor: closed (DateTime Conversation Resolved)
-- grain: one row (with zeros when nothing closed); one per period with --by, per user or team with
--   --group-by, per both with both
-- params: from, to, tz, by, group-by, team, user, channel, first-response-target, resolution-target, business-hours
-- optional_columns: period (with --by), name (with --group-by)
-- order: period, then name; conversations without a user or team last, in a row of their own
-- notes: The targets are --first-response-target (default 5m) and --resolution-target (default 24h),
--   in calendar time, or in business hours with --business-hours (then under the schedule of the
--   conversation's team). A time equal to its target meets it. A conversation without a first response
--   (or a resolution time) is in neither count of that target, nor in its percentage. --group-by user
--   groups by First Response By, else Assignee (as leaderboard_first_response_time); --group-by team by
--   Closed By Team. Filters as in conversation_list.
-- business_hours: first_response_met, first_response_breached, first_response_met_pct, resolution_met,
--   resolution_breached, resolution_met_pct
-- columns:
--   period: the period's first day (day, week from its Monday) or month YYYY-MM, of the close
--   name: the user's name (else ID) or the team's name; blank for conversations without one
--   conversations: conversations closed in the period
--   first_response_met: conversations whose first response time is at most the target
--   first_response_breached: conversations whose first response time is over the target
--   first_response_met_pct: first_response_met of those with a first response, in percent
--   resolution_met: conversations whose resolution time is at most the target
--   resolution_breached: conversations whose resolution time is over the target
--   resolution_met_pct: resolution_met of those with a resolution time, in percent
WITH closed AS NOT MATERIALIZED (
    SELECT -- include: closed_period(c)
                                                                              AS period,
           CASE :group_by WHEN 'team' THEN c.closed_by_team_key
                          WHEN 'user' THEN coalesce(c.first_response_by_user_key, c.assignee_user_key) END AS group_key,
           -- include: first_response_seconds(c)
                                                                              AS first_response,
           -- include: resolution_seconds(c)
                                                                              AS resolution
    FROM fact_conversation c
    WHERE -- include: closed_in_period(c)
      AND -- include: conversation_filters(c)
    -- Each time worked out once: a LIMIT keeps SQLite from pasting its expression into
    -- each count below (in business hours, a function call each).
    LIMIT 9223372036854775807
),
counts AS (
    -- Without --by and --group-by, one aggregate: grouping by two constants would sort every
    -- conversation for nothing.
    SELECT NULL AS period, NULL AS group_key,
           count(*)                                                           AS conversations,
           count(CASE WHEN first_response <= :first_response_target THEN 1 END) AS first_response_met,
           count(first_response)                                              AS first_responses,
           count(CASE WHEN resolution <= :resolution_target THEN 1 END)       AS resolution_met,
           count(resolution)                                                  AS resolutions
    FROM closed
    WHERE :by IS NULL AND :group_by IS NULL
    HAVING :by IS NULL AND :group_by IS NULL
    UNION ALL
    SELECT period, group_key,
           count(*),
           count(CASE WHEN first_response <= :first_response_target THEN 1 END),
           count(first_response),
           count(CASE WHEN resolution <= :resolution_target THEN 1 END),
           count(resolution)
    FROM closed
    WHERE :by IS NOT NULL OR :group_by IS NOT NULL
    GROUP BY period, group_key
)
SELECT period,
       -- include: group_name
                                                                              AS name,
       conversations,
       first_response_met,
       first_responses - first_response_met                  AS first_response_breached,
       div_round(100 * first_response_met, first_responses, 2) AS first_response_met_pct,
       resolution_met,
       resolutions - resolution_met                          AS resolution_breached,
       div_round(100 * resolution_met, resolutions, 2)       AS resolution_met_pct
FROM counts
ORDER BY period, group_key IS NULL, name, group_key
