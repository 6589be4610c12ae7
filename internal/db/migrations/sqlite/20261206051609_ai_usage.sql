-- +goose Up
-- create "ai_usages" table
CREATE TABLE `ai_usages` (`id` text NOT NULL, `created_at` datetime NOT NULL, `use_case` text NOT NULL, `engine` text NOT NULL, `model` text NOT NULL DEFAULT (''), `input_tokens` integer NOT NULL DEFAULT (0), `output_tokens` integer NOT NULL DEFAULT (0), `cost_in` integer NOT NULL DEFAULT (0), `cost_out` integer NOT NULL DEFAULT (0), `latency_us` integer NOT NULL DEFAULT (0), `cache_hit` bool NOT NULL DEFAULT (false), `fallback` text NOT NULL DEFAULT (''), `alert` integer NOT NULL DEFAULT (0), `remote` bool NOT NULL DEFAULT (false), `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `ai_usages_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- create index "aiusage_location_id" to table: "ai_usages"
CREATE INDEX `aiusage_location_id` ON `ai_usages` (`location_id`);
-- create index "aiusage_location_id_created_at" to table: "ai_usages"
CREATE INDEX `aiusage_location_id_created_at` ON `ai_usages` (`location_id`, `created_at`);
-- create index "aiusage_location_id_remote_created_at_cost_in_cost_out" to table: "ai_usages"
CREATE INDEX `aiusage_location_id_remote_created_at_cost_in_cost_out` ON `ai_usages` (`location_id`, `remote`, `created_at`, `cost_in`, `cost_out`);

-- +goose Down
-- reverse: create index "aiusage_location_id_remote_created_at_cost_in_cost_out" to table: "ai_usages"
DROP INDEX `aiusage_location_id_remote_created_at_cost_in_cost_out`;
-- reverse: create index "aiusage_location_id_created_at" to table: "ai_usages"
DROP INDEX `aiusage_location_id_created_at`;
-- reverse: create index "aiusage_location_id" to table: "ai_usages"
DROP INDEX `aiusage_location_id`;
-- reverse: create "ai_usages" table
DROP TABLE `ai_usages`;
