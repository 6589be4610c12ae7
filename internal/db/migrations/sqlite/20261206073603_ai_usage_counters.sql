-- +goose Up
-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_ai_usages" table
CREATE TABLE `new_ai_usages` (`id` text NOT NULL, `created_at` datetime NOT NULL, `use_case` text NOT NULL, `engine` text NOT NULL, `model` text NOT NULL DEFAULT (''), `input_tokens` integer NOT NULL DEFAULT (0), `output_tokens` integer NOT NULL DEFAULT (0), `cost_in` integer NOT NULL DEFAULT (0), `cost_out` integer NOT NULL DEFAULT (0), `latency_us` integer NOT NULL DEFAULT (0), `cache_hit` bool NOT NULL DEFAULT (false), `fallback` text NOT NULL DEFAULT (''), `alert` integer NOT NULL DEFAULT (0), `remote` bool NOT NULL DEFAULT (false), `calls` integer NOT NULL DEFAULT (1), `slot` text NULL, `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `ai_usages_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- copy rows from old table "ai_usages" to new temporary table "new_ai_usages"
INSERT INTO `new_ai_usages` (`id`, `created_at`, `use_case`, `engine`, `model`, `input_tokens`, `output_tokens`, `cost_in`, `cost_out`, `latency_us`, `cache_hit`, `fallback`, `alert`, `remote`, `location_id`) SELECT `id`, `created_at`, `use_case`, `engine`, `model`, `input_tokens`, `output_tokens`, `cost_in`, `cost_out`, `latency_us`, `cache_hit`, `fallback`, `alert`, `remote`, `location_id` FROM `ai_usages`;
-- drop "ai_usages" table after copying rows
DROP TABLE `ai_usages`;
-- rename temporary table "new_ai_usages" to "ai_usages"
ALTER TABLE `new_ai_usages` RENAME TO `ai_usages`;
-- create index "aiusage_location_id" to table: "ai_usages"
CREATE INDEX `aiusage_location_id` ON `ai_usages` (`location_id`);
-- create index "aiusage_location_id_created_at" to table: "ai_usages"
CREATE INDEX `aiusage_location_id_created_at` ON `ai_usages` (`location_id`, `created_at`);
-- create index "aiusage_location_id_remote_created_at_cost_in_cost_out" to table: "ai_usages"
CREATE INDEX `aiusage_location_id_remote_created_at_cost_in_cost_out` ON `ai_usages` (`location_id`, `remote`, `created_at`, `cost_in`, `cost_out`);
-- create index "aiusage_location_id_slot" to table: "ai_usages"
CREATE UNIQUE INDEX `aiusage_location_id_slot` ON `ai_usages` (`location_id`, `slot`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

-- +goose Down
-- Hand-written (i12down): Atlas's reverse of a table rebuild dropped
-- "new_ai_usages", which no longer exists, and failed. The columns go as on
-- PostgreSQL; the other indexes stay, as the older schema has them.
DROP INDEX `aiusage_location_id_slot`;
ALTER TABLE `ai_usages` DROP COLUMN `slot`;
ALTER TABLE `ai_usages` DROP COLUMN `calls`;
