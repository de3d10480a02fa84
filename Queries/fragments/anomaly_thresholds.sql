-- fragment: anomaly_thresholds
-- description: What the anomaly rule compares: `closed`, the conversations closed in the period with
--   the report's filters (conversation_filters), with only what the percentiles and the order need,
--   and `thresholds`, one row: the --percentile P (default 90; nearest rank, ceil(P·n/100)) of their
--   resolution_seconds and of their messages, blank values left out.
-- params: :from_date_key, :to_date_key, :from_ts, :to_ts, :team_key, :user_key, :channel_key, :percentile,
--   :business_hours
-- stands: in a WITH clause: two common table expressions, `closed` (conversation_key, resolved_date_key,
--   resolved_ts, resolution_seconds, messages) and `thresholds` (resolution_threshold,
--   messages_threshold); a comma after it adds more.
closed AS (
    -- Only what the percentiles and the order need (the closed-conversations index holds it all).
    SELECT c.conversation_key, c.resolved_date_key, c.resolved_ts,
           -- include: resolution_seconds(c)
           AS resolution_seconds,
           -- include: conversation_messages(c)
           AS messages
    FROM fact_conversation c
    WHERE -- include: closed_in_period(c)
      AND -- include: conversation_filters(c)
),
thresholds AS MATERIALIZED (
    -- Over the index itself: were `closed` used twice, it would be materialised.
    -- MATERIALIZED: computed once. PostgreSQL would otherwise inline it into the join and, in
    -- a parallel plan, compute it in every worker (1.52–1.62 s over the benchmark's 300,000
    -- conversations, 0.86–0.93 s so); SQLite's plan is the same either way.
    -- rank_value(rank_values(x), P) is percentile(x, P) with an aggregate of one argument,
    -- which PostgreSQL collects in place (its percentile is quadratic).
    SELECT rank_value(rank_values(-- include: resolution_seconds(c)
                                  ), :percentile)       AS resolution_threshold,
           rank_value(rank_values(-- include: conversation_messages(c)
                                  ), :percentile)       AS messages_threshold
    FROM fact_conversation c
    WHERE -- include: closed_in_period(c)
      AND -- include: conversation_filters(c)
)
