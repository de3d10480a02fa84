-- fragment: conversation_joins
-- description: A conversation's contact, people, team and category, joined as the conversations view
--   joins them (Schema/002), and the count of the messages linked to it.
-- params: none
-- stands: in a FROM clause, after the table the alias names: LEFT JOINs that add ct (dim_contact),
--   assignee and closer (dim_user), team (dim_team), cat (dim_category) and links
--   (agg_conversation_messages). Each finds at most one row: the conversation's rows stay as they are.
-- alias: c, the fact_conversation row
LEFT JOIN dim_contact ct        ON ct.contact_key = c.contact_key
LEFT JOIN dim_user assignee     ON assignee.user_key = c.assignee_user_key
LEFT JOIN dim_user closer       ON closer.user_key = c.closed_by_user_key
LEFT JOIN dim_team team         ON team.team_key = c.closed_by_team_key
LEFT JOIN dim_category cat      ON cat.category_key = c.category_key
-- Counted by the loader as it links messages (Schema/006).
LEFT JOIN agg_conversation_messages links ON links.conversation_key = c.conversation_key
