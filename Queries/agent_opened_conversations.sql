-- name: agent_opened_conversations
-- title: Agent-opened conversations
-- description: Per user, the conversations they first got that an agent opened (outbound), flagged when unusually many.
-- anchor: opened (DateTime Conversation Started)
-- grain: one row per user who is First Assignee of a conversation opened in the period
-- params: from, to, tz, team, user
-- order: opened_by_agent descending, then user_name
-- notes: The workspace-wide rate is over every conversation opened in the period (whatever --team or
--   --user), and "at least twice" is compared exactly, before rounding. Opened By Source is compared
--   case-insensitively. --team keeps the users whose teams include it; --user keeps that user.
-- columns:
--   user_id: the user's ID
--   user_name: First Name + Last Name from the users file, else the ID
--   conversations_opened: conversations opened in the period whose First Assignee is the user
--   opened_by_agent: of those, the ones whose Opened By Source is user
--   agent_open_rate_pct: opened_by_agent / conversations_opened, in percent
--   flagged: 1 when opened_by_agent >= 3 and the rate is at least twice the workspace-wide rate
WITH per_user AS (
    -- One pass over the index led by the first assignee, in its order: no sort. The period
    -- is tested row by row (+), so that SQLite does not read the period's range of the
    -- opened index instead and sort it. Conversations without a first assignee form one
    -- group (NULL): they count in the workspace's totals only.
    SELECT c.first_assignee_user_key AS user_key,
           count(*) AS conversations_opened,
           -- COLLATE NOCASE is SQLite's alone; lower(x) = 'user', which PostgreSQL also says, is
           -- a function call on every conversation: 8 % slower here (Schema/postgresql/README.md).
           count(*) FILTER (WHERE c.opened_by_source = 'user' COLLATE NOCASE) AS opened_by_agent
    FROM fact_conversation c
    WHERE -- include: opened_in_period(+c)
    GROUP BY c.first_assignee_user_key
),
workspace AS (
    SELECT sum(conversations_opened) AS opened, sum(opened_by_agent) AS by_agent FROM per_user
)
SELECT u.user_id,
       u.user_name,
       p.conversations_opened,
       p.opened_by_agent,
       div_round(100 * p.opened_by_agent, p.conversations_opened, 2) AS agent_open_rate_pct,
       CASE WHEN p.opened_by_agent >= 3
                 AND p.opened_by_agent * w.opened >= 2 * w.by_agent * p.conversations_opened
            THEN 1 ELSE 0 END AS flagged
FROM per_user p
CROSS JOIN workspace w
JOIN dim_user u ON u.user_key = p.user_key  -- not the NULL group
WHERE -- include: user_filters(u)
ORDER BY p.opened_by_agent DESC, u.user_name, natural_id_key(u.user_id)
