-- +goose Up
-- create "messages" table
CREATE TABLE `messages` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `channel` text NOT NULL DEFAULT ('sms'), `status` text NOT NULL DEFAULT ('queued'), `suppressed_reason` text NULL, `error` text NOT NULL DEFAULT (''), `to` text NOT NULL, `body` text NOT NULL, `template` text NOT NULL DEFAULT (''), `marketing` bool NOT NULL DEFAULT (false), `urgent` bool NOT NULL DEFAULT (false), `segments` integer NOT NULL DEFAULT (1), `cost_cents` integer NOT NULL DEFAULT (0), `provider` text NOT NULL DEFAULT (''), `provider_message_id` text NULL, `booking_starts_at` datetime NULL, `covers` json NULL, `rule_id` text NULL, `key` text NULL, `send_after` datetime NULL, `sent_at` datetime NULL, `location_id` text NOT NULL, `contact_id` text NOT NULL, `booking_id` text NULL, `sent_by_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `messages_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `messages_contacts_contact` FOREIGN KEY (`contact_id`) REFERENCES `contacts` (`id`) ON DELETE CASCADE, CONSTRAINT `messages_bookings_booking` FOREIGN KEY (`booking_id`) REFERENCES `bookings` (`id`) ON DELETE SET NULL, CONSTRAINT `messages_users_sent_by` FOREIGN KEY (`sent_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "message_location_id" to table: "messages"
CREATE INDEX `message_location_id` ON `messages` (`location_id`);
-- create index "message_location_id_key" to table: "messages"
CREATE UNIQUE INDEX `message_location_id_key` ON `messages` (`location_id`, `key`);
-- create index "message_location_id_created_at" to table: "messages"
CREATE INDEX `message_location_id_created_at` ON `messages` (`location_id`, `created_at`);
-- create index "message_contact_id_created_at" to table: "messages"
CREATE INDEX `message_contact_id_created_at` ON `messages` (`contact_id`, `created_at`);
-- create index "message_location_id_status" to table: "messages"
CREATE INDEX `message_location_id_status` ON `messages` (`location_id`, `status`);
-- create "opt_outs" table
CREATE TABLE `opt_outs` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `channel` text NOT NULL DEFAULT ('sms'), `address` text NOT NULL, `source` text NOT NULL DEFAULT ('staff'), `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `opt_outs_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- create index "optout_location_id" to table: "opt_outs"
CREATE INDEX `optout_location_id` ON `opt_outs` (`location_id`);
-- create index "optout_location_id_channel_address" to table: "opt_outs"
CREATE UNIQUE INDEX `optout_location_id_channel_address` ON `opt_outs` (`location_id`, `channel`, `address`);
-- create "sms_templates" table
CREATE TABLE `sms_templates` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `key` text NOT NULL, `name` text NOT NULL, `body` text NOT NULL, `marketing` bool NOT NULL DEFAULT (false), `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `sms_templates_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- create index "smstemplate_location_id" to table: "sms_templates"
CREATE INDEX `smstemplate_location_id` ON `sms_templates` (`location_id`);
-- create index "smstemplate_location_id_key" to table: "sms_templates"
CREATE UNIQUE INDEX `smstemplate_location_id_key` ON `sms_templates` (`location_id`, `key`);

-- +goose Down
-- reverse: create index "smstemplate_location_id_key" to table: "sms_templates"
DROP INDEX `smstemplate_location_id_key`;
-- reverse: create index "smstemplate_location_id" to table: "sms_templates"
DROP INDEX `smstemplate_location_id`;
-- reverse: create "sms_templates" table
DROP TABLE `sms_templates`;
-- reverse: create index "optout_location_id_channel_address" to table: "opt_outs"
DROP INDEX `optout_location_id_channel_address`;
-- reverse: create index "optout_location_id" to table: "opt_outs"
DROP INDEX `optout_location_id`;
-- reverse: create "opt_outs" table
DROP TABLE `opt_outs`;
-- reverse: create index "message_location_id_status" to table: "messages"
DROP INDEX `message_location_id_status`;
-- reverse: create index "message_contact_id_created_at" to table: "messages"
DROP INDEX `message_contact_id_created_at`;
-- reverse: create index "message_location_id_created_at" to table: "messages"
DROP INDEX `message_location_id_created_at`;
-- reverse: create index "message_location_id_key" to table: "messages"
DROP INDEX `message_location_id_key`;
-- reverse: create index "message_location_id" to table: "messages"
DROP INDEX `message_location_id`;
-- reverse: create "messages" table
DROP TABLE `messages`;
