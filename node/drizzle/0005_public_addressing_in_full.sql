-- Activities kept before integrity proofs were made over the stored JSON: Fedify signed them with
-- the public collection written in full but they were stored with `as:Public`. Writing it in full
-- makes the stored (served, re-delivered) JSON the bytes that were signed (docs/protocol.md §6).
-- The quoted token only matches a whole JSON string value, never text inside an escaped payload.
UPDATE `outbox_activities` SET `json` = replace(`json`, '"as:Public"', '"https://www.w3.org/ns/activitystreams#Public"') WHERE instr(`json`, '"as:Public"') > 0;--> statement-breakpoint
UPDATE `received_syntheses` SET `activity` = replace(`activity`, '"as:Public"', '"https://www.w3.org/ns/activitystreams#Public"') WHERE instr(`activity`, '"as:Public"') > 0;--> statement-breakpoint
UPDATE `received_syntheses` SET `conflicting_activity` = replace(`conflicting_activity`, '"as:Public"', '"https://www.w3.org/ns/activitystreams#Public"') WHERE instr(`conflicting_activity`, '"as:Public"') > 0;--> statement-breakpoint
UPDATE `received_syntheses` SET `withdrawal` = replace(`withdrawal`, '"as:Public"', '"https://www.w3.org/ns/activitystreams#Public"') WHERE instr(`withdrawal`, '"as:Public"') > 0;--> statement-breakpoint
UPDATE `received_meetings` SET `activity` = replace(`activity`, '"as:Public"', '"https://www.w3.org/ns/activitystreams#Public"') WHERE instr(`activity`, '"as:Public"') > 0;
