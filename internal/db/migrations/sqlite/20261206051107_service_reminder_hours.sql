-- +goose Up
-- add column "reminder_hours" to table: "services" (hand-written: Atlas
-- would rebuild the table, which goose's transaction cannot do safely)
ALTER TABLE `services` ADD COLUMN `reminder_hours` integer NOT NULL DEFAULT (24);

-- +goose Down
-- reverse: add column "reminder_hours" to table: "services"
ALTER TABLE `services` DROP COLUMN `reminder_hours`;
