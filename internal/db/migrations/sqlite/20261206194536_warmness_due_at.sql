-- +goose Up
-- When a contact's warmness next changes with the clock alone: the
-- warmness schedule rescores only contacts due (internal/warmness, Due).
-- Written by hand: Atlas would rebuild the whole table for it.
ALTER TABLE `contacts` ADD COLUMN `warmness_due_at` datetime NULL;
CREATE INDEX `contact_warmness_due_at_id` ON `contacts` (`warmness_due_at`, `id`) WHERE warmness_due_at IS NOT NULL;
-- Contacts whose score can age (a message from the patient, a booking)
-- are due at once: the schedule's first run rescores them and sets their
-- real due time. The others' scores do not depend on the clock.
UPDATE `contacts` SET `warmness_due_at` = COALESCE(`warmness_scored_at`, `created_at`)
WHERE EXISTS (SELECT 1 FROM `touchpoints` t WHERE t.`contact_id` = `contacts`.`id`
              AND t.`kind` IN ('sms_in', 'email_in', 'call_in', 'web_form', 'email_click'))
   OR EXISTS (SELECT 1 FROM `bookings` b WHERE b.`contact_id` = `contacts`.`id`);

-- +goose Down
-- The due times are lost: the old release has no column for them. Migrating
-- up again sets them anew for contacts whose score can age.
DROP INDEX `contact_warmness_due_at_id`;
ALTER TABLE `contacts` DROP COLUMN `warmness_due_at`;
