-- +goose Up
-- add column "interested_service_id" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `interested_service_id` text NULL;
-- add column "lead_intent" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `lead_intent` text NULL;
-- add column "urgency" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `urgency` text NULL;
-- add column "enrichment" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `enrichment` json NULL;

-- +goose Down
-- reverse: add column "enrichment" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `enrichment`;
-- reverse: add column "urgency" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `urgency`;
-- reverse: add column "lead_intent" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `lead_intent`;
-- reverse: add column "interested_service_id" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `interested_service_id`;
