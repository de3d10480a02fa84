-- fragment: channel_filter
-- description: --channel for a conversation: its Opened By Channel is the channel (any conversation
--   without --channel).
-- params: :channel_key
-- stands: a term of a WHERE or ON clause's AND chain (it is parenthesised: it may stand anywhere a condition may).
-- alias: c, the fact_conversation row
(:channel_key IS NULL OR c.opened_by_channel_key = :channel_key)
