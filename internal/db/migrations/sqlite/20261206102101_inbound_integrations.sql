-- +goose Up
-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_webhook_events" table
CREATE TABLE `new_webhook_events` (`id` text NOT NULL, `source` text NOT NULL, `kind` text NOT NULL, `event_id` text NOT NULL, `payload` text NOT NULL, `received_at` datetime NOT NULL, `status` text NOT NULL DEFAULT ('received'), `attempts` integer NOT NULL DEFAULT (0), `last_error` text NOT NULL DEFAULT (''), `processed_at` datetime NULL, `duplicates` integer NOT NULL DEFAULT (0), `history` json NULL, `event_type` text NOT NULL DEFAULT (''), `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `webhook_events_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- copy rows from old table "webhook_events" to new temporary table "new_webhook_events"
INSERT INTO `new_webhook_events` (`id`, `source`, `kind`, `event_id`, `payload`, `received_at`, `status`, `attempts`, `last_error`, `processed_at`, `duplicates`, `location_id`) SELECT `id`, `source`, `kind`, `event_id`, `payload`, `received_at`, `status`, `attempts`, `last_error`, `processed_at`, `duplicates`, `location_id` FROM `webhook_events`;
-- drop "webhook_events" table after copying rows
DROP TABLE `webhook_events`;
-- rename temporary table "new_webhook_events" to "webhook_events"
ALTER TABLE `new_webhook_events` RENAME TO `webhook_events`;
-- create index "webhookevent_location_id" to table: "webhook_events"
CREATE INDEX `webhookevent_location_id` ON `webhook_events` (`location_id`);
-- create index "webhookevent_location_id_source_kind_event_id" to table: "webhook_events"
CREATE UNIQUE INDEX `webhookevent_location_id_source_kind_event_id` ON `webhook_events` (`location_id`, `source`, `kind`, `event_id`);
-- create index "webhookevent_location_id_received_at" to table: "webhook_events"
CREATE INDEX `webhookevent_location_id_received_at` ON `webhook_events` (`location_id`, `received_at`);
-- create index "webhookevent_location_id_source_status_received_at" to table: "webhook_events"
CREATE INDEX `webhookevent_location_id_source_status_received_at` ON `webhook_events` (`location_id`, `source`, `status`, `received_at`);
-- create "staff_alerts" table
CREATE TABLE `staff_alerts` (`id` text NOT NULL, `created_at` datetime NOT NULL, `topic` text NOT NULL, `subject` text NOT NULL DEFAULT (''), `text` text NOT NULL, `status` text NOT NULL DEFAULT ('pending'), `channel` text NOT NULL DEFAULT (''), `last_error` text NOT NULL DEFAULT (''), `sent_at` datetime NULL, `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `staff_alerts_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- create index "staffalert_location_id" to table: "staff_alerts"
CREATE INDEX `staffalert_location_id` ON `staff_alerts` (`location_id`);
-- create index "staffalert_location_id_created_at" to table: "staff_alerts"
CREATE INDEX `staffalert_location_id_created_at` ON `staff_alerts` (`location_id`, `created_at`);
-- create index "staffalert_location_id_topic_subject" to table: "staff_alerts"
CREATE UNIQUE INDEX `staffalert_location_id_topic_subject` ON `staff_alerts` (`location_id`, `topic`, `subject`);
-- create "wix_services" table
CREATE TABLE `wix_services` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `wix_service_id` text NOT NULL, `wix_name` text NOT NULL DEFAULT (''), `service_id` text NOT NULL, `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `wix_services_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- create index "wixservice_location_id" to table: "wix_services"
CREATE INDEX `wixservice_location_id` ON `wix_services` (`location_id`);
-- create index "wixservice_location_id_wix_service_id" to table: "wix_services"
CREATE UNIQUE INDEX `wixservice_location_id_wix_service_id` ON `wix_services` (`location_id`, `wix_service_id`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

-- +goose Down
-- reverse: create index "wixservice_location_id_wix_service_id" to table: "wix_services"
DROP INDEX `wixservice_location_id_wix_service_id`;
-- reverse: create index "wixservice_location_id" to table: "wix_services"
DROP INDEX `wixservice_location_id`;
-- reverse: create "wix_services" table
DROP TABLE `wix_services`;
-- reverse: create index "staffalert_location_id_topic_subject" to table: "staff_alerts"
DROP INDEX `staffalert_location_id_topic_subject`;
-- reverse: create index "staffalert_location_id_created_at" to table: "staff_alerts"
DROP INDEX `staffalert_location_id_created_at`;
-- reverse: create index "staffalert_location_id" to table: "staff_alerts"
DROP INDEX `staffalert_location_id`;
-- reverse: create "staff_alerts" table
DROP TABLE `staff_alerts`;
-- Hand-written (i12down): Atlas's reverse of the webhook_events rebuild
-- dropped "new_webhook_events", which no longer exists, and failed. The
-- columns go as on PostgreSQL; the older indexes stay.
DROP INDEX `webhookevent_location_id_source_status_received_at`;
ALTER TABLE `webhook_events` DROP COLUMN `event_type`;
ALTER TABLE `webhook_events` DROP COLUMN `history`;
