-- name: reopened_conversations
-- title: Reopened conversations
-- description: Conversations closed in the period whose contact came back within --within (reopened), and those resolved on first contact.
-- anchor: closed (DateTime Conversation Resolved)
-- grain: one row (with zeros when nothing is known); one per period with --by, per user or team with
--   --group-by, per both with both
-- params: from, to, tz, by, group-by, team, user, channel, within
-- optional_columns: period (with --by), name (with --group-by)
-- order: period, then name; conversations without a user or team last, in a row of their own
-- notes: A closed conversation is reopened when the same contact starts another conversation at or after
--   its close and at most --within (default 7d) after it; else it was resolved on first contact. In
--   respond.io a reopened chat is a new conversation of the same contact. A conversation closed less
--   than --within before the newest conversation start in the warehouse has no known outcome yet: it
--   is left out of every column, reopened or not, so the rate is not biased. --group-by user groups by
--   Closed By, --group-by team by Closed By Team. Filters as in conversation_list.
-- columns:
--   period: the period's first day (day, week from its Monday) or month YYYY-MM, of the close
--   name: the user's name (else ID) or the team's name; blank for conversations without one
--   conversations_closed: conversations closed in the period whose outcome is known
--   reopened: of them, those whose contact started another conversation within --within of the close
--   reopen_rate_pct: reopened of conversations_closed, in percent
--   resolved_first_contact: conversations_closed that were not reopened
--   first_contact_resolution_pct: resolved_first_contact of conversations_closed, in percent
WITH newest AS (
    -- The newest start, from the starts of the last month of days (YYYYMMDD − 100 is the same
    -- day a month before, so the day before the last is in too, should the clocks have gone
    -- back across midnight): the index of opened conversations is led by the day, so this
    -- reads a month of it, not every conversation.
    SELECT max(started_ts) AS started_ts FROM fact_conversation
    WHERE started_date_key >= (SELECT max(started_date_key) FROM fact_conversation) - 100
),
closed AS NOT MATERIALIZED (
    SELECT -- include: closed_period(c)
                                                                              AS period,
           CASE :group_by WHEN 'team' THEN c.closed_by_team_key
                          WHEN 'user' THEN c.closed_by_user_key END       AS group_key,
           -- The contact's next conversation, through the index by contact and start.
           EXISTS (SELECT 1 FROM fact_conversation n
                   WHERE n.contact_key = c.contact_key
                     AND n.started_ts >= c.resolved_ts AND n.started_ts <= c.resolved_ts + :within
                     AND n.conversation_key <> c.conversation_key)       AS reopened
    FROM fact_conversation c
    CROSS JOIN newest
    WHERE -- include: closed_in_period(c)
      AND -- include: conversation_filters(c)
      AND c.resolved_ts + :within <= newest.started_ts
),
counts AS (
    -- Without --by and --group-by, one aggregate: grouping by two constants would sort every
    -- conversation for nothing.
    SELECT NULL AS period, NULL AS group_key,
           count(*)                              AS conversations_closed,
           count(CASE WHEN reopened THEN 1 END)  AS reopened
    FROM closed
    WHERE :by IS NULL AND :group_by IS NULL
    HAVING :by IS NULL AND :group_by IS NULL
    UNION ALL
    SELECT period, group_key, count(*), count(CASE WHEN reopened THEN 1 END)
    FROM closed
    WHERE :by IS NOT NULL OR :group_by IS NOT NULL
    GROUP BY period, group_key
)
SELECT period,
       -- include: group_name
                                                                              AS name,
       conversations_closed,
       reopened,
       div_round(100 * reopened, conversations_closed, 2)                        AS reopen_rate_pct,
       conversations_closed - reopened                                            AS resolved_first_contact,
       div_round(100 * (conversations_closed - reopened), conversations_closed, 2) AS first_contact_resolution_pct
FROM counts
ORDER BY period, group_key IS NULL, name, group_key
