-- fragment: message_source
-- description: A message's source, joined as the messages view joins it (Schema/002): its Sender Type
--   (s.sender_type) and direction (s.direction: incoming or outgoing).
-- params: none
-- stands: in a FROM clause, after the table the alias names: a JOIN that adds s (dim_message_source).
-- alias: m, the fact_message row, or a row of agg_message_daily (it has the same source_key)
JOIN dim_message_source s ON s.source_key = m.source_key
