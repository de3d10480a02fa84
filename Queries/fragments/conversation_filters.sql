-- fragment: conversation_filters
-- description: The filters of the conversation reports ("filters as in conversation_list"): --team
--   keeps Closed By Team, --user the Assignee, --channel Opened By Channel. team_filter,
--   assignee_filter and channel_filter, one after the other.
-- params: :team_key, :user_key, :channel_key
-- stands: terms of a WHERE or ON clause's AND chain: after WHERE, ON or AND (beside OR, in parentheses).
-- alias: c, the fact_conversation row
-- include: team_filter(c)
AND -- include: assignee_filter(c)
AND -- include: channel_filter(c)
