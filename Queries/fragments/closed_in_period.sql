-- fragment: closed_in_period
-- description: The conversation was closed in the report's period: its DateTime Conversation Resolved
--   falls in [--from, --to] of the reporting time zone. The stored workspace-zone date key bounds it
--   first (the closed index is led by it), the UTC instants make it exact in any zone.
-- params: :from_date_key, :to_date_key, :from_ts, :to_ts
-- stands: terms of a WHERE or ON clause's AND chain: after WHERE, ON or AND (beside OR, in parentheses).
-- alias: c, the fact_conversation row. Give +c to test the columns row by row: the unary + keeps
--   SQLite from reading the period's range of fact_conversation_closed, for a report that reads
--   another index in its order (a user's) and must not sort.
c.resolved_date_key BETWEEN :from_date_key AND :to_date_key
  AND c.resolved_ts >= :from_ts AND c.resolved_ts < :to_ts
