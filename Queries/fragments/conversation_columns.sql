-- fragment: conversation_columns
-- description: The columns of conversation_list and resolved_conversation_anomalies, conversation_id
--   to summary (SPEC: the anomalies report has the same columns, without anomaly): names, local
--   times in the reporting time zone, durations and message counts.
-- params: :tz, :business_hours
-- stands: a SELECT's result columns (more after it: a comma starts the next line).
-- reads: c (fact_conversation), a (a row of anomaly_thresholds' `closed`: its messages) and the
--   tables conversation_joins adds.
c.conversation_id,
ct.contact_id,
ct.contact_name,
assignee.user_name                                          AS assignee,
closer.user_name                                            AS closed_by,
team.team_name                                              AS team,
cat.category_name                                           AS category,
CASE WHEN :tz IS NULL THEN c.started_local ELSE local_time(c.started_ts, :tz) END    AS opened_at,
CASE WHEN :tz IS NULL THEN c.resolved_local ELSE local_time(c.resolved_ts, :tz) END  AS closed_at,
-- include: first_response_seconds(c)
                                                            AS first_response_seconds,
-- include: resolution_seconds(c)
                                                            AS resolution_seconds,
c.incoming_messages,
c.outgoing_messages,
a.messages,
coalesce(links.linked_messages, 0)                          AS linked_messages,
c.closing_note_summary                                      AS summary
