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
WITH days(day, new_contacts, returning_contacts) AS (
    -- Per local day first: the period is then worked out once per day. is_new_contact is kept
    -- by the loader: the contact's first conversation (see the notes). In the workspace's time
    -- zone, the stored date keys, counted in index order (no sort of every conversation) ...
    SELECT d.date, o.new_contacts, o.returning_contacts
    FROM (SELECT c.started_date_key AS date_key,
                 count(*) FILTER (WHERE c.is_new_contact = 1) AS new_contacts,
                 count(*) FILTER (WHERE c.is_new_contact = 0) AS returning_contacts
          FROM fact_conversation c
          WHERE :tz IS NULL AND -- include: opened_in_period(c)
            AND -- include: conversation_filters(c)
          GROUP BY c.started_date_key) o
    JOIN dim_date d ON d.date_key = o.date_key
    UNION ALL
    -- ... in another, each conversation's local day there.
    SELECT substr(local_time(c.started_ts, :tz), 1, 10), count(*) FILTER (WHERE c.is_new_contact = 1),
           count(*) FILTER (WHERE c.is_new_contact = 0)
    FROM fact_conversation c
    WHERE :tz IS NOT NULL AND -- include: opened_in_period(c)
      AND -- include: conversation_filters(c)
    GROUP BY 1
),
periods AS (
    SELECT period_start(day, :by) AS period, sum(new_contacts) AS new_contacts, sum(returning_contacts) AS returning_contacts
    FROM days
    GROUP BY 1
)
SELECT period, 'new' AS contact_type, new_contacts AS conversations_opened FROM periods
UNION ALL
SELECT period, 'returning', returning_contacts FROM periods
ORDER BY period, contact_type
