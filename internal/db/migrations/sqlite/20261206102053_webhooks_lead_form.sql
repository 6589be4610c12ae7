-- +goose Up
-- Written by hand over Atlas's output, which rebuilt contacts and locations
-- (a rebuild inside goose's transaction cannot turn foreign keys off, and
-- drops the tables' triggers): every change here is an added column or index.
-- add columns to "contacts" table
ALTER TABLE `contacts` ADD COLUMN `utm_source` text NULL;
ALTER TABLE `contacts` ADD COLUMN `utm_medium` text NULL;
ALTER TABLE `contacts` ADD COLUMN `utm_campaign` text NULL;
ALTER TABLE `contacts` ADD COLUMN `utm_term` text NULL;
ALTER TABLE `contacts` ADD COLUMN `utm_content` text NULL;
ALTER TABLE `contacts` ADD COLUMN `consent_token_hash` text NULL;
-- create index "contact_consent_token_hash" to table: "contacts"
CREATE INDEX `contact_consent_token_hash` ON `contacts` (`consent_token_hash`);
-- add columns to "locations" table
ALTER TABLE `locations` ADD COLUMN `lead_form_key` text NULL;
ALTER TABLE `locations` ADD COLUMN `lead_form_origins` json NULL;
ALTER TABLE `locations` ADD COLUMN `lead_form_double_opt_in` bool NOT NULL DEFAULT (false);
-- create index "location_lead_form_key" to table: "locations"
CREATE UNIQUE INDEX `location_lead_form_key` ON `locations` (`lead_form_key`);
-- create "webhook_deliveries" table
CREATE TABLE `webhook_deliveries` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `event_type` text NOT NULL, `source_event_id` text NOT NULL, `payload` text NOT NULL, `status` text NOT NULL DEFAULT ('pending'), `attempts` integer NOT NULL DEFAULT (0), `response_code` integer NULL, `duration_ms` integer NOT NULL DEFAULT (0), `error` text NOT NULL DEFAULT (''), `last_attempt_at` datetime NULL, `next_attempt_at` datetime NULL, `delivered_at` datetime NULL, `location_id` text NOT NULL, `subscription_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `webhook_deliveries_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `webhook_deliveries_webhook_subscriptions_subscription` FOREIGN KEY (`subscription_id`) REFERENCES `webhook_subscriptions` (`id`) ON DELETE CASCADE);
-- create index "webhookdelivery_location_id" to table: "webhook_deliveries"
CREATE INDEX `webhookdelivery_location_id` ON `webhook_deliveries` (`location_id`);
-- create index "webhookdelivery_subscription_id_source_event_id" to table: "webhook_deliveries"
CREATE UNIQUE INDEX `webhookdelivery_subscription_id_source_event_id` ON `webhook_deliveries` (`subscription_id`, `source_event_id`);
-- create index "webhookdelivery_location_id_created_at" to table: "webhook_deliveries"
CREATE INDEX `webhookdelivery_location_id_created_at` ON `webhook_deliveries` (`location_id`, `created_at`);
-- create index "webhookdelivery_subscription_id_created_at" to table: "webhook_deliveries"
CREATE INDEX `webhookdelivery_subscription_id_created_at` ON `webhook_deliveries` (`subscription_id`, `created_at`);
-- create "webhook_subscriptions" table
CREATE TABLE `webhook_subscriptions` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `url` text NOT NULL, `description` text NOT NULL DEFAULT (''), `event_types` json NOT NULL, `secret` text NOT NULL, `previous_secret` text NULL, `previous_secret_expires_at` datetime NULL, `enabled` bool NOT NULL DEFAULT (true), `include_pii` bool NOT NULL DEFAULT (false), `failure_count` integer NOT NULL DEFAULT (0), `failing_since` datetime NULL, `disabled_reason` text NOT NULL DEFAULT (''), `disabled_at` datetime NULL, `last_success_at` datetime NULL, `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `webhook_subscriptions_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- create index "webhooksubscription_location_id" to table: "webhook_subscriptions"
CREATE INDEX `webhooksubscription_location_id` ON `webhook_subscriptions` (`location_id`);
-- create index "webhooksubscription_location_id_enabled" to table: "webhook_subscriptions"
CREATE INDEX `webhooksubscription_location_id_enabled` ON `webhook_subscriptions` (`location_id`, `enabled`);

-- +goose Down
DROP INDEX `webhooksubscription_location_id_enabled`;
DROP INDEX `webhooksubscription_location_id`;
DROP TABLE `webhook_subscriptions`;
DROP INDEX `webhookdelivery_subscription_id_created_at`;
DROP INDEX `webhookdelivery_location_id_created_at`;
DROP INDEX `webhookdelivery_subscription_id_source_event_id`;
DROP INDEX `webhookdelivery_location_id`;
DROP TABLE `webhook_deliveries`;
DROP INDEX `location_lead_form_key`;
ALTER TABLE `locations` DROP COLUMN `lead_form_double_opt_in`;
ALTER TABLE `locations` DROP COLUMN `lead_form_origins`;
ALTER TABLE `locations` DROP COLUMN `lead_form_key`;
DROP INDEX `contact_consent_token_hash`;
ALTER TABLE `contacts` DROP COLUMN `consent_token_hash`;
ALTER TABLE `contacts` DROP COLUMN `utm_content`;
ALTER TABLE `contacts` DROP COLUMN `utm_term`;
ALTER TABLE `contacts` DROP COLUMN `utm_campaign`;
ALTER TABLE `contacts` DROP COLUMN `utm_medium`;
ALTER TABLE `contacts` DROP COLUMN `utm_source`;
