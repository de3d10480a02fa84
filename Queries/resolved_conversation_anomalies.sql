-- name: resolved_conversation_anomalies
-- title: Long and busy conversations
-- description: Closed conversations whose resolution time and message count both exceed the period's p90: worth a look.
-- anchor: closed (DateTime Conversation Resolved)
-- grain: one row per conversation
-- params: from, to, tz, team, user, channel, percentile, limit, business-hours
-- order: newest closed first, then conversation_id
-- notes: The thresholds are the nearest-rank percentile (90 unless --percentile P: rank ceil(P·n/100))
--   of resolution_seconds and of messages over all conversations closed in the same period with the
--   same filters; a conversation must exceed both, strictly. Blank values are left out of the
--   percentiles and never exceed them. Filters as in conversation_list.
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
WITH -- include: anomaly_thresholds
SELECT
       -- include: conversation_columns
FROM closed a
JOIN thresholds t ON -- include: anomaly_rule
JOIN fact_conversation c ON c.conversation_key = a.conversation_key
-- include: conversation_joins(c)
-- In the closed-conversations index's order, read backwards: the local day
-- follows the instant, so only conversations closed in the same second are sorted.
ORDER BY a.resolved_date_key DESC, a.resolved_ts DESC, natural_id_key(c.conversation_id)
LIMIT coalesce(:limit, 9223372036854775807)
