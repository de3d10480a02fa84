-- fragment: team_filter
-- description: --team for a conversation: its Closed By Team is the team (any conversation without --team).
-- params: :team_key
-- stands: a term of a WHERE or ON clause's AND chain (it is parenthesised: it may stand anywhere a condition may).
-- alias: c, the fact_conversation row
(:team_key IS NULL OR c.closed_by_team_key = :team_key)
