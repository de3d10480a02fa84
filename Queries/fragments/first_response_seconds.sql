-- fragment: first_response_seconds
-- description: The conversation's first response time: the stored one (the export's, else derived
--   from the timestamps) in calendar time; with --business-hours, the business seconds from its start
--   to its first response under its team's schedule (Closed By Team, else the workspace's), NULL where
--   either timestamp is missing (SPEC §9).
-- params: :business_hours
-- stands: an expression (written on lines of its own: close its parenthesis on the next line).
-- alias: c, the fact_conversation row
CASE WHEN :business_hours IS NULL THEN c.first_response_seconds
     ELSE business_seconds(c.started_ts, c.first_response_ts, :business_hours, c.closed_by_team_key) END
