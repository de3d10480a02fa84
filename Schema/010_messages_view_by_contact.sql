-- 010_messages_view_by_contact: the messages view finds a message's conversation
-- by its key and its contact. A message is linked only to a conversation of its
-- own contact (MessageLinks), so the rows are the same; but a warehouse
-- distributed by contact (Citus, Schema/postgresql/citus.sql) joins a message to
-- its conversation on the worker that holds both only when the join names the
-- contact. Applied to a PostgreSQL warehouse too (PostgresWarehouse.upgrade).
DROP VIEW messages;

CREATE VIEW messages AS
SELECT
    m.message_id,
    m.sent_local        AS sent_at,
    m.sent_ts,
    ct.contact_id,
    s.sender_type,
    s.direction,
    m.sender_id,
    u.user_name         AS sender_user_name,
    ch.channel_id,
    ch.channel_name,
    t.content_type,
    t.message_type,
    t.type,
    t.sub_type,
    m.content_text,
    m.content_raw,
    c.conversation_id
FROM fact_message m
JOIN dim_message_source s      ON s.source_key = m.source_key
LEFT JOIN dim_contact ct       ON ct.contact_key = m.contact_key
LEFT JOIN dim_user u           ON u.user_key = m.sender_user_key
LEFT JOIN dim_channel ch       ON ch.channel_key = m.channel_key
LEFT JOIN dim_message_type t   ON t.message_type_key = m.message_type_key
LEFT JOIN fact_conversation c  ON c.conversation_key = m.conversation_key AND c.contact_key = m.contact_key;
