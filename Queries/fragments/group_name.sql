-- fragment: group_name
-- description: With --group-by, the name of the group whose key is group_key: the team's name, or the
--   user's name (else ID); NULL without --group-by or without a key.
-- params: :group_by
-- stands: an expression (written on lines of its own: close its parenthesis on the next line).
CASE :group_by WHEN 'team' THEN (SELECT t.team_name FROM dim_team t WHERE t.team_key = group_key)
               WHEN 'user' THEN (SELECT u.user_name FROM dim_user u WHERE u.user_key = group_key) END
