-- fragment: conversation_messages
-- description: A conversation's messages as its export counts them: Number of Incoming Messages +
--   Number of Outgoing Messages, a blank one as 0; blank when both are.
-- params: none
-- stands: an expression (a CASE … END): wherever a value may.
-- alias: c, the fact_conversation row
CASE WHEN c.incoming_messages IS NOT NULL OR c.outgoing_messages IS NOT NULL
     THEN coalesce(c.incoming_messages, 0) + coalesce(c.outgoing_messages, 0) END
