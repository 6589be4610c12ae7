-- +goose Up
-- add column "email_unsubscribed_at" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `email_unsubscribed_at` datetime NULL;
-- add column "email_failed_at" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `email_failed_at` datetime NULL;
-- add column "email_failed_reason" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `email_failed_reason` text NULL;
-- create "campaigns" table
CREATE TABLE `campaigns` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `goal` text NOT NULL DEFAULT (''), `audience` json NULL, `subject` text NOT NULL DEFAULT (''), `html_body` text NOT NULL DEFAULT (''), `text_body` text NOT NULL DEFAULT (''), `from_name` text NOT NULL DEFAULT (''), `from_address` text NOT NULL DEFAULT (''), `status` text NOT NULL DEFAULT ('draft'), `status_note` text NOT NULL DEFAULT (''), `scheduled_at` datetime NULL, `started_at` datetime NULL, `finished_at` datetime NULL, `links` json NULL, `created_by_id` text NULL, `recipient_count` integer NOT NULL DEFAULT (0), `send_after` datetime NULL, `round` integer NOT NULL DEFAULT (0), `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `campaigns_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- create index "campaign_location_id" to table: "campaigns"
CREATE INDEX `campaign_location_id` ON `campaigns` (`location_id`);
-- create index "campaign_location_id_created_at" to table: "campaigns"
CREATE INDEX `campaign_location_id_created_at` ON `campaigns` (`location_id`, `created_at`);
-- create index "campaign_location_id_status" to table: "campaigns"
CREATE INDEX `campaign_location_id_status` ON `campaigns` (`location_id`, `status`);
-- create "campaign_events" table
CREATE TABLE `campaign_events` (`id` text NOT NULL, `kind` text NOT NULL, `link_index` integer NULL, `occurred_at` datetime NOT NULL, `location_id` text NOT NULL, `campaign_id` text NOT NULL, `recipient_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `campaign_events_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `campaign_events_campaigns_campaign` FOREIGN KEY (`campaign_id`) REFERENCES `campaigns` (`id`) ON DELETE CASCADE, CONSTRAINT `campaign_events_campaign_recipients_recipient` FOREIGN KEY (`recipient_id`) REFERENCES `campaign_recipients` (`id`) ON DELETE CASCADE);
-- create index "campaignevent_location_id" to table: "campaign_events"
CREATE INDEX `campaignevent_location_id` ON `campaign_events` (`location_id`);
-- create index "campaignevent_campaign_id_occurred_at" to table: "campaign_events"
CREATE INDEX `campaignevent_campaign_id_occurred_at` ON `campaign_events` (`campaign_id`, `occurred_at`);
-- create "campaign_recipients" table
CREATE TABLE `campaign_recipients` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `address` text NOT NULL, `status` text NOT NULL DEFAULT ('queued'), `reason` text NOT NULL DEFAULT (''), `provider` text NOT NULL DEFAULT (''), `provider_message_id` text NULL, `message_id` text NULL, `sent_at` datetime NULL, `first_opened_at` datetime NULL, `open_count` integer NOT NULL DEFAULT (0), `first_clicked_at` datetime NULL, `click_count` integer NOT NULL DEFAULT (0), `unsubscribed_at` datetime NULL, `attempts` integer NOT NULL DEFAULT (0), `claimed_until` datetime NULL, `location_id` text NOT NULL, `campaign_id` text NOT NULL, `contact_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `campaign_recipients_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `campaign_recipients_campaigns_campaign` FOREIGN KEY (`campaign_id`) REFERENCES `campaigns` (`id`) ON DELETE CASCADE, CONSTRAINT `campaign_recipients_contacts_contact` FOREIGN KEY (`contact_id`) REFERENCES `contacts` (`id`) ON DELETE CASCADE);
-- create index "campaignrecipient_location_id" to table: "campaign_recipients"
CREATE INDEX `campaignrecipient_location_id` ON `campaign_recipients` (`location_id`);
-- create index "campaignrecipient_campaign_id_contact_id" to table: "campaign_recipients"
CREATE UNIQUE INDEX `campaignrecipient_campaign_id_contact_id` ON `campaign_recipients` (`campaign_id`, `contact_id`);
-- create index "campaignrecipient_campaign_id_status" to table: "campaign_recipients"
CREATE INDEX `campaignrecipient_campaign_id_status` ON `campaign_recipients` (`campaign_id`, `status`);
-- create index "campaignrecipient_contact_id_created_at" to table: "campaign_recipients"
CREATE INDEX `campaignrecipient_contact_id_created_at` ON `campaign_recipients` (`contact_id`, `created_at`);
-- the default grants campaigns gained (issue 17: managers send, staff draft) for locations whose table exists already
INSERT INTO `permissions` (`id`, `created_at`, `updated_at`, `role`, `resource`, `action`, `condition`, `location_id`) SELECT 'prm_01KC' || hex(randomblob(11)), datetime('now'), datetime('now'), 'manager', 'campaigns', 'send', 'own_location_only', l.`id` FROM `locations` l WHERE EXISTS (SELECT 1 FROM `permissions` p WHERE p.`location_id` = l.`id`) AND NOT EXISTS (SELECT 1 FROM `permissions` p WHERE p.`location_id` = l.`id` AND p.`role` = 'manager' AND p.`resource` = 'campaigns' AND p.`action` = 'send');
INSERT INTO `permissions` (`id`, `created_at`, `updated_at`, `role`, `resource`, `action`, `condition`, `location_id`) SELECT 'prm_01KC' || hex(randomblob(11)), datetime('now'), datetime('now'), 'staff', 'campaigns', 'create', 'own_location_only', l.`id` FROM `locations` l WHERE EXISTS (SELECT 1 FROM `permissions` p WHERE p.`location_id` = l.`id`) AND NOT EXISTS (SELECT 1 FROM `permissions` p WHERE p.`location_id` = l.`id` AND p.`role` = 'staff' AND p.`resource` = 'campaigns' AND p.`action` = 'create');
INSERT INTO `permissions` (`id`, `created_at`, `updated_at`, `role`, `resource`, `action`, `condition`, `location_id`) SELECT 'prm_01KC' || hex(randomblob(11)), datetime('now'), datetime('now'), 'staff', 'campaigns', 'update', 'own_location_only', l.`id` FROM `locations` l WHERE EXISTS (SELECT 1 FROM `permissions` p WHERE p.`location_id` = l.`id`) AND NOT EXISTS (SELECT 1 FROM `permissions` p WHERE p.`location_id` = l.`id` AND p.`role` = 'staff' AND p.`resource` = 'campaigns' AND p.`action` = 'update');

-- +goose Down
-- reverse: create index "campaignrecipient_contact_id_created_at" to table: "campaign_recipients"
DROP INDEX `campaignrecipient_contact_id_created_at`;
-- reverse: create index "campaignrecipient_campaign_id_status" to table: "campaign_recipients"
DROP INDEX `campaignrecipient_campaign_id_status`;
-- reverse: create index "campaignrecipient_campaign_id_contact_id" to table: "campaign_recipients"
DROP INDEX `campaignrecipient_campaign_id_contact_id`;
-- reverse: create index "campaignrecipient_location_id" to table: "campaign_recipients"
DROP INDEX `campaignrecipient_location_id`;
-- reverse: create "campaign_recipients" table
DROP TABLE `campaign_recipients`;
-- reverse: create index "campaignevent_campaign_id_occurred_at" to table: "campaign_events"
DROP INDEX `campaignevent_campaign_id_occurred_at`;
-- reverse: create index "campaignevent_location_id" to table: "campaign_events"
DROP INDEX `campaignevent_location_id`;
-- reverse: create "campaign_events" table
DROP TABLE `campaign_events`;
-- reverse: create index "campaign_location_id_status" to table: "campaigns"
DROP INDEX `campaign_location_id_status`;
-- reverse: create index "campaign_location_id_created_at" to table: "campaigns"
DROP INDEX `campaign_location_id_created_at`;
-- reverse: create index "campaign_location_id" to table: "campaigns"
DROP INDEX `campaign_location_id`;
-- reverse: create "campaigns" table
DROP TABLE `campaigns`;
-- reverse: add column "email_failed_reason" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `email_failed_reason`;
-- reverse: add column "email_failed_at" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `email_failed_at`;
-- reverse: add column "email_unsubscribed_at" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `email_unsubscribed_at`;
