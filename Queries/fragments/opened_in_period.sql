-- fragment: opened_in_period
-- description: The conversation was opened in the report's period: its DateTime Conversation Started
--   falls in [--from, --to] of the reporting time zone. The stored workspace-zone date key bounds it
--   first (the opened index is led by it), the UTC instants make it exact in any zone.
-- params: :from_date_key, :to_date_key, :from_ts, :to_ts
-- stands: terms of a WHERE or ON clause's AND chain: after WHERE, ON or AND (beside OR, in parentheses).
-- alias: c, the fact_conversation row. Give +c to test the columns row by row: the unary + keeps
--   SQLite from reading the period's range of fact_conversation_opened, for a report that reads
--   another index in its order (a user's) and must not sort.
c.started_date_key BETWEEN :from_date_key AND :to_date_key
  AND c.started_ts >= :from_ts AND c.started_ts < :to_ts
