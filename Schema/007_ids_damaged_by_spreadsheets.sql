-- 007_ids_damaged_by_spreadsheets: conversations and messages kept by their
-- contact and time, because their export ID was damaged by a spreadsheet
-- (`7.6383E+18`, or 16+ digits cut to 15 significant ones) or because they came
-- without one (a respond.io webhook event).
--
-- Such a record's natural key is an identity made from what survived, and it
-- starts with `~`, which no export ID does (IDs are numbers):
--   conversation  `~<Contact ID>@<start minute, UTC>`           e.g. ~161012773@2025-02-25T20:53Z
--   message       `~<Contact ID>@<minute, UTC>#<content print>` e.g. ~114289723@2025-02-26T05:02Z#1f0c…
--   failed message likewise, with the print of its Failure Reason
-- Loading the same damaged file again finds the same identity (nothing
-- doubled); a later record of the same contact and minute with an intact ID
-- takes the row over (its key becomes the ID), so no duplicate is left; a
-- damaged record whose conversation or message is already stored with its ID
-- leaves that one as it is. `*_as_exported` keeps the damaged ID as the file
-- wrote it (NULL for a record that had no ID, and for every intact one).
ALTER TABLE fact_conversation ADD COLUMN conversation_id_as_exported TEXT;
ALTER TABLE fact_message ADD COLUMN message_id_as_exported TEXT;
ALTER TABLE fact_failed_message ADD COLUMN message_id_as_exported TEXT;
-- A damaged failed message is looked for among its contact's, by time.
CREATE INDEX fact_failed_message_by_contact ON fact_failed_message(contact_key, failed_ts);
