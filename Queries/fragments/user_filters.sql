-- fragment: user_filters
-- description: --user and --team for a report with a row per user: --user keeps that user, --team
--   the users whose teams (users file) include it.
-- params: :user_key, :team_key
-- stands: terms of a WHERE or ON clause's AND chain: after WHERE, ON or AND (beside OR, in parentheses).
-- alias: u, the dim_user row
(:user_key IS NULL OR u.user_key = :user_key)
AND (:team_key IS NULL OR EXISTS (SELECT 1 FROM bridge_user_team b
                                  WHERE b.user_key = u.user_key AND b.team_key = :team_key))
