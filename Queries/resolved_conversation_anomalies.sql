-- name: resolved_conversation_anomalies
-- title: Long and busy conversations
-- description: Closed conversations whose resolution time and message count both exceed the period's p90: worth a look.
-- anchor: closed (DateTime Conversation Resolved)
-- grain: one row per conversation
-- params: from, to, tz, team, user, channel, percentile, limit
-- order: newest closed first, then conversation_id
-- notes: The thresholds are the nearest-rank percentile (90 unless --percentile P: rank ceil(P·n/100))
--   of resolution_seconds and of messages over all conversations closed in the same period with the
--   same filters; a conversation must exceed both, strictly. Blank values are left out of the
--   percentiles and never exceed them. Filters as in conversation_list.
-- columns:
--   conversation_id: the export's Conversation ID
--   contact_id: the contact's ID
--   contact_name: FirstName + LastName from the contacts file, else blank
--   assignee: the Assignee's name (else ID)
--   closed_by: the Closed By user's name (else ID)
--   team: Closed By Team
--   category: Conversation Category
--   opened_at: DateTime Conversation Started, local YYYY-MM-DD HH:MM:SS in the reporting time zone
--   closed_at: DateTime Conversation Resolved, local YYYY-MM-DD HH:MM:SS in the reporting time zone
--   first_response_seconds: First Response Time (derived from the timestamps where blank)
--   resolution_seconds: Resolution Time (derived from the timestamps where blank)
--   incoming_messages: the export's Number of Incoming Messages
--   outgoing_messages: the export's Number of Outgoing Messages
--   messages: incoming + outgoing
--   linked_messages: messages of the messages files linked to the conversation
--   summary: Closing Note Summary
WITH closed AS (
    -- Only what the percentiles and the order need (the closed-conversations index holds it all).
    SELECT c.conversation_key, c.resolved_date_key, c.resolved_ts, c.resolution_seconds,
           CASE WHEN c.incoming_messages IS NOT NULL OR c.outgoing_messages IS NOT NULL
                THEN coalesce(c.incoming_messages, 0) + coalesce(c.outgoing_messages, 0) END AS messages
    FROM fact_conversation c
    WHERE c.resolved_date_key BETWEEN :from_date_key AND :to_date_key
      AND c.resolved_ts >= :from_ts AND c.resolved_ts < :to_ts
      AND (:team_key IS NULL OR c.closed_by_team_key = :team_key)
      AND (:user_key IS NULL OR c.assignee_user_key = :user_key)
      AND (:channel_key IS NULL OR c.opened_by_channel_key = :channel_key)
),
thresholds AS (
    -- Over the index itself: were `closed` used twice, it would be materialised.
    SELECT percentile(c.resolution_seconds, :percentile) AS resolution_threshold,
           percentile(CASE WHEN c.incoming_messages IS NOT NULL OR c.outgoing_messages IS NOT NULL
                           THEN coalesce(c.incoming_messages, 0) + coalesce(c.outgoing_messages, 0) END,
                      :percentile)                      AS messages_threshold
    FROM fact_conversation c
    WHERE c.resolved_date_key BETWEEN :from_date_key AND :to_date_key
      AND c.resolved_ts >= :from_ts AND c.resolved_ts < :to_ts
      AND (:team_key IS NULL OR c.closed_by_team_key = :team_key)
      AND (:user_key IS NULL OR c.assignee_user_key = :user_key)
      AND (:channel_key IS NULL OR c.opened_by_channel_key = :channel_key)
)
SELECT c.conversation_id,
       ct.contact_id,
       ct.contact_name,
       assignee.user_name                                          AS assignee,
       closer.user_name                                            AS closed_by,
       team.team_name                                              AS team,
       cat.category_name                                           AS category,
       CASE WHEN :tz IS NULL THEN c.started_local ELSE local_time(c.started_ts, :tz) END    AS opened_at,
       CASE WHEN :tz IS NULL THEN c.resolved_local ELSE local_time(c.resolved_ts, :tz) END  AS closed_at,
       c.first_response_seconds,
       c.resolution_seconds,
       c.incoming_messages,
       c.outgoing_messages,
       a.messages,
       coalesce(links.linked_messages, 0)                          AS linked_messages,
       c.closing_note_summary                                      AS summary
FROM closed a
JOIN thresholds t ON a.resolution_seconds > t.resolution_threshold AND a.messages > t.messages_threshold
JOIN fact_conversation c ON c.conversation_key = a.conversation_key
LEFT JOIN dim_contact ct        ON ct.contact_key = c.contact_key
LEFT JOIN dim_user assignee     ON assignee.user_key = c.assignee_user_key
LEFT JOIN dim_user closer       ON closer.user_key = c.closed_by_user_key
LEFT JOIN dim_team team         ON team.team_key = c.closed_by_team_key
LEFT JOIN dim_category cat      ON cat.category_key = c.category_key
-- Counted by the loader as it links messages (Schema/006).
LEFT JOIN agg_conversation_messages links ON links.conversation_key = c.conversation_key
-- In the closed-conversations index's order, read backwards: the local day
-- follows the instant, so only conversations closed in the same second are sorted.
ORDER BY a.resolved_date_key DESC, a.resolved_ts DESC, c.conversation_id COLLATE natural_id
LIMIT coalesce(:limit, -1)
