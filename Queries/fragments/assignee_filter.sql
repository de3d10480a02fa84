-- fragment: assignee_filter
-- description: --user for a conversation: its Assignee is the user (any conversation without --user).
-- params: :user_key
-- stands: a term of a WHERE or ON clause's AND chain (it is parenthesised: it may stand anywhere a condition may).
-- alias: c, the fact_conversation row
(:user_key IS NULL OR c.assignee_user_key = :user_key)
