-- fragment: anomaly_rule
-- description: The anomaly rule: a conversation is long and busy when its resolution time and its
--   message count both exceed, strictly, the thresholds of anomaly_thresholds. A blank value never does.
-- params: none
-- stands: a condition, two comparisons joined by AND (beside OR, in parentheses): in WHERE, ON or CASE WHEN.
-- reads: a, a row of `closed`, and t, the row of `thresholds` (both of anomaly_thresholds).
a.resolution_seconds > t.resolution_threshold AND a.messages > t.messages_threshold
