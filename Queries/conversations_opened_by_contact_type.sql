-- name: conversations_opened_by_contact_type
-- title: New vs returning contacts
-- description: Conversations opened per period, by new or returning contact.
-- anchor: opened (DateTime Conversation Started)
-- grain: one row per period and contact type
-- params: from, to, tz, by, team, user, channel
-- order: period, contact_type
-- notes: A conversation is new when it is its contact's first conversation known to the warehouse
--   (earliest start, ties by Conversation ID), decided over all conversations whatever the filters;
--   a conversation without a contact counts as new. Both types get a row in every period that has an
--   opened conversation.
-- columns:
--   period: the day (YYYY-MM-DD), week (its Monday's date) or month (YYYY-MM), with --by (default day)
--   contact_type: new or returning
--   conversations_opened: conversations opened in the period by contacts of that type
WITH opened AS (
    -- is_new_contact is kept by the loader: the contact's first conversation (see the notes).
    SELECT period_start(coalesce(local_time(c.started_ts, :tz), c.started_local), :by) AS period,
           CASE WHEN c.is_new_contact = 1 THEN 'new' ELSE 'returning' END AS contact_type
    FROM fact_conversation c
    WHERE c.started_ts >= :from_ts AND c.started_ts < :to_ts
      AND (:team_key IS NULL OR c.closed_by_team_key = :team_key)
      AND (:user_key IS NULL OR c.assignee_user_key = :user_key)
      AND (:channel_key IS NULL OR c.opened_by_channel_key = :channel_key)
),
types(contact_type) AS (VALUES ('new'), ('returning'))
SELECT p.period, t.contact_type, count(o.period) AS conversations_opened
FROM (SELECT DISTINCT period FROM opened) p
CROSS JOIN types t
LEFT JOIN opened o ON o.period = p.period AND o.contact_type = t.contact_type
GROUP BY p.period, t.contact_type
ORDER BY p.period, t.contact_type
