-- fragment: closed_period
-- description: With --by, the period of the conversation's close in the reporting time zone: its day,
--   the Monday of its week or its month (period_start); NULL without --by. In the workspace's zone the
--   stored date key gives the day (a look-up in dim_date, no conversion).
-- params: :by, :tz
-- stands: an expression (written on lines of its own: close its parenthesis on the next line).
-- alias: c, the fact_conversation row
CASE WHEN :by IS NULL THEN NULL
     WHEN :tz IS NULL THEN period_start((SELECT d.date FROM dim_date d WHERE d.date_key = c.resolved_date_key), :by)
     ELSE period_start(local_time(c.resolved_ts, :tz), :by) END
