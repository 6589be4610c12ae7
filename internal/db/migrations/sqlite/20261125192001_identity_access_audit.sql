-- +goose Up
-- drop index "contact_location_id_warmness" from table: "contacts"
DROP INDEX `contact_location_id_warmness`;
-- create index "contact_location_id_warmness_id" to table: "contacts"
CREATE INDEX `contact_location_id_warmness_id` ON `contacts` (`location_id`, `warmness`, `id`);
-- create index "contact_location_id_pipeline_warmness_id" to table: "contacts"
CREATE INDEX `contact_location_id_pipeline_warmness_id` ON `contacts` (`location_id`, `pipeline`, `warmness`, `id`);
-- add column "hostname" to table: "locations"
ALTER TABLE `locations` ADD COLUMN `hostname` text NULL;
-- add column "invited_at" to table: "users"
ALTER TABLE `users` ADD COLUMN `invited_at` datetime NULL;
-- create "api_tokens" table
CREATE TABLE `api_tokens` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `token_hash` blob NOT NULL, `hint` text NOT NULL, `expires_at` datetime NULL, `last_used_at` datetime NULL, `revoked_at` datetime NULL, `location_id` text NOT NULL, `user_id` text NOT NULL, `created_by_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `api_tokens_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `api_tokens_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `api_tokens_users_created_by` FOREIGN KEY (`created_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "api_tokens_token_hash_key" to table: "api_tokens"
CREATE UNIQUE INDEX `api_tokens_token_hash_key` ON `api_tokens` (`token_hash`);
-- create index "apitoken_location_id" to table: "api_tokens"
CREATE INDEX `apitoken_location_id` ON `api_tokens` (`location_id`);
-- create index "apitoken_user_id" to table: "api_tokens"
CREATE INDEX `apitoken_user_id` ON `api_tokens` (`user_id`);
-- create "audit_entries" table
CREATE TABLE `audit_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `at` datetime NOT NULL, `user_id` text NOT NULL DEFAULT (''), `email` text NOT NULL DEFAULT (''), `location_id` text NOT NULL DEFAULT (''), `action` text NOT NULL, `resource_type` text NOT NULL DEFAULT (''), `resource_id` text NOT NULL DEFAULT (''), `operation` text NOT NULL DEFAULT (''), `method` text NOT NULL DEFAULT (''), `path` text NOT NULL DEFAULT (''), `ip` text NOT NULL DEFAULT (''), `user_agent` text NOT NULL DEFAULT (''), `status` integer NOT NULL DEFAULT (0), `latency_ms` integer NOT NULL DEFAULT (0), `phi` bool NOT NULL DEFAULT (false), `body_sha256` text NOT NULL DEFAULT (''), `detail` text NOT NULL DEFAULT (''), `prev_mac` text NOT NULL, `mac` text NOT NULL);
-- create index "auditentry_location_id_at" to table: "audit_entries"
CREATE INDEX `auditentry_location_id_at` ON `audit_entries` (`location_id`, `at`);
-- create index "auditentry_user_id_at" to table: "audit_entries"
CREATE INDEX `auditentry_user_id_at` ON `audit_entries` (`user_id`, `at`);
-- create index "auditentry_resource_type_resource_id" to table: "audit_entries"
CREATE INDEX `auditentry_resource_type_resource_id` ON `audit_entries` (`resource_type`, `resource_id`);
-- create "ip_rules" table
CREATE TABLE `ip_rules` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `cidr` text NOT NULL, `note` text NOT NULL DEFAULT (''), `location_id` text NOT NULL, `created_by_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `ip_rules_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `ip_rules_users_created_by` FOREIGN KEY (`created_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "iprule_location_id" to table: "ip_rules"
CREATE INDEX `iprule_location_id` ON `ip_rules` (`location_id`);
-- create index "iprule_location_id_cidr" to table: "ip_rules"
CREATE UNIQUE INDEX `iprule_location_id_cidr` ON `ip_rules` (`location_id`, `cidr`);
-- create "permissions" table
CREATE TABLE `permissions` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `role` text NOT NULL, `resource` text NOT NULL, `action` text NOT NULL, `condition` text NOT NULL DEFAULT ('own_location_only'), `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `permissions_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- create index "permission_location_id" to table: "permissions"
CREATE INDEX `permission_location_id` ON `permissions` (`location_id`);
-- create index "permission_location_id_role_resource_action" to table: "permissions"
CREATE UNIQUE INDEX `permission_location_id_role_resource_action` ON `permissions` (`location_id`, `role`, `resource`, `action`);
-- create "permission_overrides" table
CREATE TABLE `permission_overrides` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `resource` text NOT NULL, `action` text NOT NULL, `effect` text NOT NULL, `condition` text NOT NULL DEFAULT ('own_location_only'), `reason` text NOT NULL DEFAULT (''), `location_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `permission_overrides_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `permission_overrides_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "permissionoverride_location_id" to table: "permission_overrides"
CREATE INDEX `permissionoverride_location_id` ON `permission_overrides` (`location_id`);
-- create index "permissionoverride_location_id_user_id_resource_action" to table: "permission_overrides"
CREATE UNIQUE INDEX `permissionoverride_location_id_user_id_resource_action` ON `permission_overrides` (`location_id`, `user_id`, `resource`, `action`);

-- +goose Down
-- reverse: create index "permissionoverride_location_id_user_id_resource_action" to table: "permission_overrides"
DROP INDEX `permissionoverride_location_id_user_id_resource_action`;
-- reverse: create index "permissionoverride_location_id" to table: "permission_overrides"
DROP INDEX `permissionoverride_location_id`;
-- reverse: create "permission_overrides" table
DROP TABLE `permission_overrides`;
-- reverse: create index "permission_location_id_role_resource_action" to table: "permissions"
DROP INDEX `permission_location_id_role_resource_action`;
-- reverse: create index "permission_location_id" to table: "permissions"
DROP INDEX `permission_location_id`;
-- reverse: create "permissions" table
DROP TABLE `permissions`;
-- reverse: create index "iprule_location_id_cidr" to table: "ip_rules"
DROP INDEX `iprule_location_id_cidr`;
-- reverse: create index "iprule_location_id" to table: "ip_rules"
DROP INDEX `iprule_location_id`;
-- reverse: create "ip_rules" table
DROP TABLE `ip_rules`;
-- reverse: create index "auditentry_resource_type_resource_id" to table: "audit_entries"
DROP INDEX `auditentry_resource_type_resource_id`;
-- reverse: create index "auditentry_user_id_at" to table: "audit_entries"
DROP INDEX `auditentry_user_id_at`;
-- reverse: create index "auditentry_location_id_at" to table: "audit_entries"
DROP INDEX `auditentry_location_id_at`;
-- reverse: create "audit_entries" table
DROP TABLE `audit_entries`;
-- reverse: create index "apitoken_user_id" to table: "api_tokens"
DROP INDEX `apitoken_user_id`;
-- reverse: create index "apitoken_location_id" to table: "api_tokens"
DROP INDEX `apitoken_location_id`;
-- reverse: create index "api_tokens_token_hash_key" to table: "api_tokens"
DROP INDEX `api_tokens_token_hash_key`;
-- reverse: create "api_tokens" table
DROP TABLE `api_tokens`;
-- reverse: add column "invited_at" to table: "users"
ALTER TABLE `users` DROP COLUMN `invited_at`;
-- reverse: add column "hostname" to table: "locations"
ALTER TABLE `locations` DROP COLUMN `hostname`;
-- reverse: create index "contact_location_id_pipeline_warmness_id" to table: "contacts"
DROP INDEX `contact_location_id_pipeline_warmness_id`;
-- reverse: create index "contact_location_id_warmness_id" to table: "contacts"
DROP INDEX `contact_location_id_warmness_id`;
-- reverse: drop index "contact_location_id_warmness" from table: "contacts"
CREATE INDEX `contact_location_id_warmness` ON `contacts` (`location_id`, `warmness`);
