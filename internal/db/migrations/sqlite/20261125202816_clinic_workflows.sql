-- +goose Up
-- add column "archived_at" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `archived_at` datetime NULL;
-- add column "merged_into_id" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `merged_into_id` text NULL;
-- add column "kind" to table: "tasks"
ALTER TABLE `tasks` ADD COLUMN `kind` text NULL;
-- add column "skill" to table: "tasks"
ALTER TABLE `tasks` ADD COLUMN `skill` text NULL;
-- add column "priority_manual" to table: "tasks"
ALTER TABLE `tasks` ADD COLUMN `priority_manual` bool NULL;
-- add column "priority_rank" to table: "tasks"
ALTER TABLE `tasks` ADD COLUMN `priority_rank` integer NULL;
-- create "booking_events" table
CREATE TABLE `booking_events` (`id` text NOT NULL, `kind` text NOT NULL, `at` datetime NOT NULL, `from_starts_at` datetime NULL, `from_ends_at` datetime NULL, `to_starts_at` datetime NULL, `to_ends_at` datetime NULL, `reason` text NOT NULL DEFAULT (''), `location_id` text NOT NULL, `booking_id` text NOT NULL, `actor_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `booking_events_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `booking_events_bookings_booking` FOREIGN KEY (`booking_id`) REFERENCES `bookings` (`id`) ON DELETE CASCADE, CONSTRAINT `booking_events_users_actor` FOREIGN KEY (`actor_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "bookingevent_location_id" to table: "booking_events"
CREATE INDEX `bookingevent_location_id` ON `booking_events` (`location_id`);
-- create index "bookingevent_booking_id_at" to table: "booking_events"
CREATE INDEX `bookingevent_booking_id_at` ON `booking_events` (`booking_id`, `at`);
-- create "cancel_reasons" table
CREATE TABLE `cancel_reasons` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `label` text NOT NULL, `position` integer NOT NULL DEFAULT (0), `active` bool NOT NULL DEFAULT (true), `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `cancel_reasons_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- create index "cancelreason_location_id" to table: "cancel_reasons"
CREATE INDEX `cancelreason_location_id` ON `cancel_reasons` (`location_id`);
-- create index "cancelreason_location_id_label" to table: "cancel_reasons"
CREATE UNIQUE INDEX `cancelreason_location_id_label` ON `cancel_reasons` (`location_id`, `label`);
-- create "events" table
CREATE TABLE `events` (`id` text NOT NULL, `type` text NOT NULL, `subject_id` text NOT NULL DEFAULT (''), `payload` json NULL, `at` datetime NOT NULL, `processed_at` datetime NULL, `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `events_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- create index "event_location_id" to table: "events"
CREATE INDEX `event_location_id` ON `events` (`location_id`);
-- create index "event_processed_at_at" to table: "events"
CREATE INDEX `event_processed_at_at` ON `events` (`processed_at`, `at`);
-- create index "event_location_id_type_at" to table: "events"
CREATE INDEX `event_location_id_type_at` ON `events` (`location_id`, `type`, `at`);
-- create "import_jobs" table
CREATE TABLE `import_jobs` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `file_name` text NOT NULL DEFAULT (''), `status` text NOT NULL DEFAULT ('pending'), `content` blob NULL, `mapping` json NULL, `total_rows` integer NOT NULL DEFAULT (0), `processed` integer NOT NULL DEFAULT (0), `imported` integer NOT NULL DEFAULT (0), `duplicates` integer NOT NULL DEFAULT (0), `invalid` integer NOT NULL DEFAULT (0), `report` json NULL, `error` text NOT NULL DEFAULT (''), `finished_at` datetime NULL, `location_id` text NOT NULL, `created_by_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `import_jobs_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `import_jobs_users_created_by` FOREIGN KEY (`created_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "importjob_location_id" to table: "import_jobs"
CREATE INDEX `importjob_location_id` ON `import_jobs` (`location_id`);
-- create "search_keys" table
CREATE TABLE `search_keys` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `location_id` text NOT NULL, `key` text NOT NULL, `kind` integer NOT NULL DEFAULT (0), `part` integer NOT NULL DEFAULT (0), `word` text NOT NULL DEFAULT (''), `contact_id` text NOT NULL, CONSTRAINT `search_keys_contacts_contact` FOREIGN KEY (`contact_id`) REFERENCES `contacts` (`id`) ON DELETE CASCADE);
-- create index "searchkey_location_id_kind_key" to table: "search_keys"
CREATE INDEX `searchkey_location_id_kind_key` ON `search_keys` (`location_id`, `kind`, `key`);
-- create index "searchkey_contact_id" to table: "search_keys"
CREATE INDEX `searchkey_contact_id` ON `search_keys` (`contact_id`);
-- create "stage_changes" table
CREATE TABLE `stage_changes` (`id` text NOT NULL, `from_pipeline` text NULL, `from_stage` text NULL, `to_pipeline` text NOT NULL, `to_stage` text NOT NULL, `at` datetime NOT NULL, `reason` text NOT NULL DEFAULT (''), `location_id` text NOT NULL, `contact_id` text NOT NULL, `actor_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `stage_changes_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `stage_changes_contacts_contact` FOREIGN KEY (`contact_id`) REFERENCES `contacts` (`id`) ON DELETE CASCADE, CONSTRAINT `stage_changes_users_actor` FOREIGN KEY (`actor_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "stagechange_location_id" to table: "stage_changes"
CREATE INDEX `stagechange_location_id` ON `stage_changes` (`location_id`);
-- create index "stagechange_contact_id_at" to table: "stage_changes"
CREATE INDEX `stagechange_contact_id_at` ON `stage_changes` (`contact_id`, `at`);
-- create index "stagechange_location_id_to_stage_at" to table: "stage_changes"
CREATE INDEX `stagechange_location_id_to_stage_at` ON `stage_changes` (`location_id`, `to_stage`, `at`);
-- create "task_events" table
CREATE TABLE `task_events` (`id` text NOT NULL, `kind` text NOT NULL, `at` datetime NOT NULL, `detail` text NOT NULL DEFAULT (''), `location_id` text NOT NULL, `task_id` text NOT NULL, `actor_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `task_events_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `task_events_tasks_task` FOREIGN KEY (`task_id`) REFERENCES `tasks` (`id`) ON DELETE CASCADE, CONSTRAINT `task_events_users_actor` FOREIGN KEY (`actor_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "taskevent_location_id" to table: "task_events"
CREATE INDEX `taskevent_location_id` ON `task_events` (`location_id`);
-- create index "taskevent_task_id_at" to table: "task_events"
CREATE INDEX `taskevent_task_id_at` ON `task_events` (`task_id`, `at`);

-- +goose Down
-- reverse: create index "taskevent_task_id_at" to table: "task_events"
DROP INDEX `taskevent_task_id_at`;
-- reverse: create index "taskevent_location_id" to table: "task_events"
DROP INDEX `taskevent_location_id`;
-- reverse: create "task_events" table
DROP TABLE `task_events`;
-- reverse: create index "stagechange_location_id_to_stage_at" to table: "stage_changes"
DROP INDEX `stagechange_location_id_to_stage_at`;
-- reverse: create index "stagechange_contact_id_at" to table: "stage_changes"
DROP INDEX `stagechange_contact_id_at`;
-- reverse: create index "stagechange_location_id" to table: "stage_changes"
DROP INDEX `stagechange_location_id`;
-- reverse: create "stage_changes" table
DROP TABLE `stage_changes`;
-- reverse: create index "searchkey_contact_id" to table: "search_keys"
DROP INDEX `searchkey_contact_id`;
-- reverse: create index "searchkey_location_id_kind_key" to table: "search_keys"
DROP INDEX `searchkey_location_id_kind_key`;
-- reverse: create "search_keys" table
DROP TABLE `search_keys`;
-- reverse: create index "importjob_location_id" to table: "import_jobs"
DROP INDEX `importjob_location_id`;
-- reverse: create "import_jobs" table
DROP TABLE `import_jobs`;
-- reverse: create index "event_location_id_type_at" to table: "events"
DROP INDEX `event_location_id_type_at`;
-- reverse: create index "event_processed_at_at" to table: "events"
DROP INDEX `event_processed_at_at`;
-- reverse: create index "event_location_id" to table: "events"
DROP INDEX `event_location_id`;
-- reverse: create "events" table
DROP TABLE `events`;
-- reverse: create index "cancelreason_location_id_label" to table: "cancel_reasons"
DROP INDEX `cancelreason_location_id_label`;
-- reverse: create index "cancelreason_location_id" to table: "cancel_reasons"
DROP INDEX `cancelreason_location_id`;
-- reverse: create "cancel_reasons" table
DROP TABLE `cancel_reasons`;
-- reverse: create index "bookingevent_booking_id_at" to table: "booking_events"
DROP INDEX `bookingevent_booking_id_at`;
-- reverse: create index "bookingevent_location_id" to table: "booking_events"
DROP INDEX `bookingevent_location_id`;
-- reverse: create "booking_events" table
DROP TABLE `booking_events`;
-- reverse: add column "priority_rank" to table: "tasks"
ALTER TABLE `tasks` DROP COLUMN `priority_rank`;
-- reverse: add column "priority_manual" to table: "tasks"
ALTER TABLE `tasks` DROP COLUMN `priority_manual`;
-- reverse: add column "skill" to table: "tasks"
ALTER TABLE `tasks` DROP COLUMN `skill`;
-- reverse: add column "kind" to table: "tasks"
ALTER TABLE `tasks` DROP COLUMN `kind`;
-- reverse: add column "merged_into_id" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `merged_into_id`;
-- reverse: add column "archived_at" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `archived_at`;
