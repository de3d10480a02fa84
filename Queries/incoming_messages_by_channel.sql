-- name: incoming_messages_by_channel
-- title: Incoming messages by channel
-- description: Messages from contacts per channel, with each channel's share; --by adds a period.
-- anchor: message time (Date & Time)
-- grain: one row per channel (and period with --by)
-- params: from, to, tz, by, channel
-- optional_columns: period (with --by)
-- order: period, incoming_messages descending, channel_id
-- notes: Incoming means Sender Type contact. Messages of older files carry no channel: they form one
--   row whose channel_id and channel_name are blank. Shares with --by are within each period.
-- columns:
--   period: the day, week (its Monday's date) or month, only with --by
--   channel_id: the channel's ID
--   channel_name: the name from the channels file, else the ID
--   incoming_messages: messages from contacts
--   share_pct: the channel's share of incoming messages, in percent
WITH incoming AS (
    -- In the workspace's time zone, the daily summary of the messages ...
    SELECT CASE WHEN :by IS NOT NULL THEN period_start(d.date, :by) END AS period, a.channel_key, a.messages
    FROM agg_message_daily a
    -- include: message_source(a)
    JOIN dim_date d ON d.date_key = a.sent_date_key
    WHERE :tz IS NULL AND s.direction = 'incoming'
      AND a.sent_date_key BETWEEN :from_date_key AND :to_date_key
      AND (:channel_key IS NULL OR a.channel_key = :channel_key)
    UNION ALL
    -- ... in another, the messages themselves.
    SELECT CASE WHEN :by IS NOT NULL THEN period_start(local_time(m.sent_ts, :tz), :by) END, m.channel_key, 1
    FROM fact_message m
    -- include: message_source(m)
    WHERE :tz IS NOT NULL AND s.direction = 'incoming'
      AND m.sent_ts >= :from_ts AND m.sent_ts < :to_ts
      AND (:channel_key IS NULL OR m.channel_key = :channel_key)
),
counts AS (
    SELECT period, channel_key, sum(messages) AS incoming_messages
    FROM incoming
    GROUP BY period, channel_key
)
SELECT counts.period,
       ch.channel_id,
       coalesce(ch.channel_name, ch.channel_id) AS channel_name,
       counts.incoming_messages,
       div_round(100 * counts.incoming_messages,
                 sum(counts.incoming_messages) OVER (PARTITION BY counts.period), 2) AS share_pct
FROM counts
LEFT JOIN dim_channel ch ON ch.channel_key = counts.channel_key
ORDER BY counts.period, counts.incoming_messages DESC, natural_id_key(ch.channel_id)
