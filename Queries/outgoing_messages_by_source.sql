-- name: outgoing_messages_by_source
-- title: Outgoing messages by source
-- description: Messages to contacts per source (user, workflow, broadcast, api, …), with each source's share.
-- anchor: message time (Date & Time)
-- grain: one row per source (and period with --by)
-- params: from, to, tz, by, user, team, channel
-- optional_columns: period (with --by)
-- order: period, outgoing_messages descending, source
-- notes: The source is the outgoing message's Sender Type (every value but contact). --user keeps the
--   messages whose Sender ID is that user; --team those sent by a user of that team (users file);
--   --channel those of that channel. Shares with --by are within each period.
-- columns:
--   period: the day, week (its Monday's date) or month, only with --by
--   source: the Sender Type
--   outgoing_messages: messages of that source
--   share_pct: the source's share of outgoing messages, in percent
WITH outgoing AS (
    -- In the workspace's time zone, the daily summary of the messages ...
    SELECT CASE WHEN :by IS NOT NULL THEN period_start(d.date, :by) END AS period, s.sender_type AS source, a.messages
    FROM agg_message_daily a
    -- include: message_source(a)
    JOIN dim_date d ON d.date_key = a.sent_date_key
    WHERE :tz IS NULL AND s.direction = 'outgoing'
      AND a.sent_date_key BETWEEN :from_date_key AND :to_date_key
      AND (:user IS NULL OR a.sender_id = :user)
      AND (:team_key IS NULL OR a.sender_user_key IN (SELECT user_key FROM bridge_user_team WHERE team_key = :team_key))
      AND (:channel_key IS NULL OR a.channel_key = :channel_key)
    UNION ALL
    -- ... in another, the messages themselves.
    SELECT CASE WHEN :by IS NOT NULL THEN period_start(local_time(m.sent_ts, :tz), :by) END, s.sender_type, 1
    FROM fact_message m
    -- include: message_source(m)
    WHERE :tz IS NOT NULL AND s.direction = 'outgoing'
      AND m.sent_ts >= :from_ts AND m.sent_ts < :to_ts
      AND (:user IS NULL OR m.sender_id = :user)
      AND (:team_key IS NULL OR m.sender_user_key IN (SELECT user_key FROM bridge_user_team WHERE team_key = :team_key))
      AND (:channel_key IS NULL OR m.channel_key = :channel_key)
)
SELECT period,
       source,
       sum(messages) AS outgoing_messages,
       div_round(100 * sum(messages), sum(sum(messages)) OVER (PARTITION BY period), 2) AS share_pct
FROM outgoing
GROUP BY period, source
ORDER BY period, outgoing_messages DESC, source
