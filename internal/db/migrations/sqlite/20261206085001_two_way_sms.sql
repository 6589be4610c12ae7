-- +goose Up
-- Hand-edited: Atlas rebuilt messages to add columns; ADD COLUMN keeps
-- the rows in place inside goose's transaction (see warnRebuilds).
-- add column "sms_failed_at" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `sms_failed_at` datetime NULL;
-- add column "sms_failed_reason" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `sms_failed_reason` text NULL;
-- add column "sms_webhook_token" to table: "locations"
ALTER TABLE `locations` ADD COLUMN `sms_webhook_token` text NULL;
-- add column "message_id" to table: "booking_events"
ALTER TABLE `booking_events` ADD COLUMN `message_id` text NULL;
-- add column "direction" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `direction` text NOT NULL DEFAULT ('outbound');
-- add column "from" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `from` text NULL;
-- add column "intent" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `intent` text NULL;
-- add column "intent_confidence" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `intent_confidence` real NULL;
-- add column "action" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `action` text NULL;
-- add column "action_note" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `action_note` text NOT NULL DEFAULT ('');
-- add column "task_id" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `task_id` text NULL;
-- add column "undo" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `undo` json NULL;
-- add column "action_undone_at" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `action_undone_at` datetime NULL;
-- add column "action_undone_by_id" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `action_undone_by_id` text NULL;
-- add column "reply_to_id" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `reply_to_id` text NULL;
-- create index "message_location_id_updated_at" to table: "messages"
CREATE INDEX `message_location_id_updated_at` ON `messages` (`location_id`, `updated_at`);
-- create index "message_location_id_provider_message_id" to table: "messages"
CREATE INDEX `message_location_id_provider_message_id` ON `messages` (`location_id`, `provider_message_id`);
-- create "conversations" table
CREATE TABLE `conversations` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `needs_reply` bool NOT NULL DEFAULT (false), `unread_count` integer NOT NULL DEFAULT (0), `last_message_at` datetime NULL, `last_inbound_at` datetime NULL, `last_message_preview` text NOT NULL DEFAULT (''), `done_at` datetime NULL, `location_id` text NOT NULL, `contact_id` text NOT NULL, `assignee_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `conversations_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `conversations_contacts_contact` FOREIGN KEY (`contact_id`) REFERENCES `contacts` (`id`) ON DELETE CASCADE, CONSTRAINT `conversations_users_assignee` FOREIGN KEY (`assignee_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "conversation_location_id" to table: "conversations"
CREATE INDEX `conversation_location_id` ON `conversations` (`location_id`);
-- create index "conversation_location_id_contact_id" to table: "conversations"
CREATE UNIQUE INDEX `conversation_location_id_contact_id` ON `conversations` (`location_id`, `contact_id`);
-- create index "conversation_location_id_needs_reply_last_message_at" to table: "conversations"
CREATE INDEX `conversation_location_id_needs_reply_last_message_at` ON `conversations` (`location_id`, `needs_reply`, `last_message_at`);
-- create index "conversation_location_id_updated_at" to table: "conversations"
CREATE INDEX `conversation_location_id_updated_at` ON `conversations` (`location_id`, `updated_at`);
-- create "webhook_events" table
CREATE TABLE `webhook_events` (`id` text NOT NULL, `source` text NOT NULL, `kind` text NOT NULL, `event_id` text NOT NULL, `payload` text NOT NULL, `received_at` datetime NOT NULL, `status` text NOT NULL DEFAULT ('received'), `attempts` integer NOT NULL DEFAULT (0), `last_error` text NOT NULL DEFAULT (''), `processed_at` datetime NULL, `duplicates` integer NOT NULL DEFAULT (0), `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `webhook_events_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- create index "webhookevent_location_id" to table: "webhook_events"
CREATE INDEX `webhookevent_location_id` ON `webhook_events` (`location_id`);
-- create index "webhookevent_location_id_source_kind_event_id" to table: "webhook_events"
CREATE UNIQUE INDEX `webhookevent_location_id_source_kind_event_id` ON `webhook_events` (`location_id`, `source`, `kind`, `event_id`);
-- create index "webhookevent_location_id_received_at" to table: "webhook_events"
CREATE INDEX `webhookevent_location_id_received_at` ON `webhook_events` (`location_id`, `received_at`);

-- +goose Down
-- reverse: create index "webhookevent_location_id_received_at" to table: "webhook_events"
DROP INDEX `webhookevent_location_id_received_at`;
-- reverse: create index "webhookevent_location_id_source_kind_event_id" to table: "webhook_events"
DROP INDEX `webhookevent_location_id_source_kind_event_id`;
-- reverse: create index "webhookevent_location_id" to table: "webhook_events"
DROP INDEX `webhookevent_location_id`;
-- reverse: create "webhook_events" table
DROP TABLE `webhook_events`;
-- reverse: create index "conversation_location_id_updated_at" to table: "conversations"
DROP INDEX `conversation_location_id_updated_at`;
-- reverse: create index "conversation_location_id_needs_reply_last_message_at" to table: "conversations"
DROP INDEX `conversation_location_id_needs_reply_last_message_at`;
-- reverse: create index "conversation_location_id_contact_id" to table: "conversations"
DROP INDEX `conversation_location_id_contact_id`;
-- reverse: create index "conversation_location_id" to table: "conversations"
DROP INDEX `conversation_location_id`;
-- reverse: create "conversations" table
DROP TABLE `conversations`;
-- reverse: create index "message_location_id_provider_message_id" to table: "messages"
DROP INDEX `message_location_id_provider_message_id`;
-- reverse: create index "message_location_id_updated_at" to table: "messages"
DROP INDEX `message_location_id_updated_at`;
-- reverse: add column "reply_to_id" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `reply_to_id`;
-- reverse: add column "action_undone_by_id" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `action_undone_by_id`;
-- reverse: add column "action_undone_at" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `action_undone_at`;
-- reverse: add column "undo" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `undo`;
-- reverse: add column "task_id" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `task_id`;
-- reverse: add column "action_note" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `action_note`;
-- reverse: add column "action" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `action`;
-- reverse: add column "intent_confidence" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `intent_confidence`;
-- reverse: add column "intent" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `intent`;
-- reverse: add column "from" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `from`;
-- reverse: add column "direction" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `direction`;
-- reverse: add column "message_id" to table: "booking_events"
ALTER TABLE `booking_events` DROP COLUMN `message_id`;
-- reverse: add column "sms_webhook_token" to table: "locations"
ALTER TABLE `locations` DROP COLUMN `sms_webhook_token`;
-- reverse: add column "sms_failed_reason" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `sms_failed_reason`;
-- reverse: add column "sms_failed_at" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `sms_failed_at`;
