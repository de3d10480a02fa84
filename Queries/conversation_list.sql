-- name: conversation_list
-- title: Conversations
-- description: Every conversation closed in the period, with its people, times, message counts and anomaly flag.
-- anchor: closed (DateTime Conversation Resolved)
-- grain: one row per conversation
-- params: from, to, tz, team, user, channel, percentile, limit, business-hours
-- order: newest closed first, then conversation_id
-- notes: --team keeps Closed By Team, --user the Assignee, --channel Opened By Channel. anomaly is 1
--   when resolved_conversation_anomalies (same period, filters and --percentile, default 90) lists
--   the conversation. A gap between messages and linked_messages says the messages export is incomplete.
-- business_hours: first_response_seconds, resolution_seconds
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
--   anomaly: 1 when long and busy (see resolved_conversation_anomalies), else 0
WITH -- include: anomaly_thresholds
SELECT
       -- include: conversation_columns
     , CASE WHEN -- include: anomaly_rule
            THEN 1 ELSE 0 END                                      AS anomaly
FROM closed a
CROSS JOIN thresholds t
JOIN fact_conversation c ON c.conversation_key = a.conversation_key
-- include: conversation_joins(c)
-- In the closed-conversations index's order, read backwards: the local day
-- follows the instant, so only conversations closed in the same second are sorted.
ORDER BY a.resolved_date_key DESC, a.resolved_ts DESC, natural_id_key(c.conversation_id)
LIMIT coalesce(:limit, 9223372036854775807)
