-- +goose Up
-- add column "disabled_at" to table: "memberships"
ALTER TABLE `memberships` ADD COLUMN `disabled_at` datetime NULL;
-- create "invitations" table
CREATE TABLE `invitations` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `name` text NOT NULL DEFAULT (''), `role` text NOT NULL, `accepted_at` datetime NULL, `location_id` text NOT NULL, `invited_by_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `invitations_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `invitations_users_invited_by` FOREIGN KEY (`invited_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "invitation_location_id" to table: "invitations"
CREATE INDEX `invitation_location_id` ON `invitations` (`location_id`);
-- create index "invitation_email" to table: "invitations"
CREATE INDEX `invitation_email` ON `invitations` (`email`);

-- +goose Down
-- reverse: create index "invitation_email" to table: "invitations"
DROP INDEX `invitation_email`;
-- reverse: create index "invitation_location_id" to table: "invitations"
DROP INDEX `invitation_location_id`;
-- reverse: create "invitations" table
DROP TABLE `invitations`;
-- reverse: add column "disabled_at" to table: "memberships"
ALTER TABLE `memberships` DROP COLUMN `disabled_at`;
