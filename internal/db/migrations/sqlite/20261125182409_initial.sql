-- +goose Up
-- create "bookings" table
CREATE TABLE `bookings` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `starts_at` datetime NOT NULL, `ends_at` datetime NOT NULL, `status` text NOT NULL DEFAULT ('pending'), `source` text NOT NULL DEFAULT ('manual'), `external_id` text NULL, `cancel_reason` text NULL, `confirmed_at` datetime NULL, `cancelled_at` datetime NULL, `completed_at` datetime NULL, `price_cents` integer NOT NULL DEFAULT (0), `notes` text NOT NULL DEFAULT (''), `location_id` text NOT NULL, `contact_id` text NOT NULL, `service_id` text NOT NULL, `staff_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `bookings_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `bookings_contacts_contact` FOREIGN KEY (`contact_id`) REFERENCES `contacts` (`id`) ON DELETE CASCADE, CONSTRAINT `bookings_services_service` FOREIGN KEY (`service_id`) REFERENCES `services` (`id`) ON DELETE NO ACTION, CONSTRAINT `bookings_users_staff` FOREIGN KEY (`staff_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "booking_location_id" to table: "bookings"
CREATE INDEX `booking_location_id` ON `bookings` (`location_id`);
-- create index "booking_location_id_starts_at" to table: "bookings"
CREATE INDEX `booking_location_id_starts_at` ON `bookings` (`location_id`, `starts_at`);
-- create index "booking_contact_id_starts_at" to table: "bookings"
CREATE INDEX `booking_contact_id_starts_at` ON `bookings` (`contact_id`, `starts_at`);
-- create index "booking_location_id_source_external_id" to table: "bookings"
CREATE UNIQUE INDEX `booking_location_id_source_external_id` ON `bookings` (`location_id`, `source`, `external_id`);
-- create "contacts" table
CREATE TABLE `contacts` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `first_name` text NOT NULL, `last_name` text NOT NULL DEFAULT (''), `phone` text NULL, `email` text NULL, `date_of_birth` text NULL, `lead_source` text NOT NULL DEFAULT ('other'), `referrer` text NULL, `pipeline` text NOT NULL DEFAULT ('lead'), `stage` text NOT NULL DEFAULT ('new_lead'), `stage_changed_at` datetime NOT NULL, `warmness` integer NOT NULL DEFAULT (0), `warmness_reasons` json NULL, `warmness_scored_at` datetime NULL, `tags` json NULL, `sms_consent` bool NOT NULL DEFAULT (false), `email_consent` bool NOT NULL DEFAULT (false), `notes` text NOT NULL DEFAULT (''), `location_id` text NOT NULL, `assigned_to_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `contacts_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `contacts_users_assigned_to` FOREIGN KEY (`assigned_to_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "contact_location_id" to table: "contacts"
CREATE INDEX `contact_location_id` ON `contacts` (`location_id`);
-- create index "contact_location_id_phone" to table: "contacts"
CREATE INDEX `contact_location_id_phone` ON `contacts` (`location_id`, `phone`);
-- create index "contact_location_id_email" to table: "contacts"
CREATE INDEX `contact_location_id_email` ON `contacts` (`location_id`, `email`);
-- create index "contact_location_id_warmness" to table: "contacts"
CREATE INDEX `contact_location_id_warmness` ON `contacts` (`location_id`, `warmness`);
-- create index "contact_location_id_pipeline_stage" to table: "contacts"
CREATE INDEX `contact_location_id_pipeline_stage` ON `contacts` (`location_id`, `pipeline`, `stage`);
-- create index "contact_location_id_last_name_first_name" to table: "contacts"
CREATE INDEX `contact_location_id_last_name_first_name` ON `contacts` (`location_id`, `last_name`, `first_name`);
-- create "locations" table
CREATE TABLE `locations` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `code` text NOT NULL, `timezone` text NOT NULL DEFAULT ('Australia/Sydney'), `currency` text NOT NULL DEFAULT ('AUD'), `region` text NOT NULL DEFAULT ('AU'), `address` text NOT NULL DEFAULT (''), `phone` text NOT NULL DEFAULT (''), `settings` json NOT NULL, PRIMARY KEY (`id`));
-- create index "locations_code_key" to table: "locations"
CREATE UNIQUE INDEX `locations_code_key` ON `locations` (`code`);
-- create index "location_name" to table: "locations"
CREATE INDEX `location_name` ON `locations` (`name`);
-- create "memberships" table
CREATE TABLE `memberships` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `role` text NOT NULL DEFAULT ('staff'), `skills` json NULL, `location_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `memberships_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `memberships_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "membership_location_id" to table: "memberships"
CREATE INDEX `membership_location_id` ON `memberships` (`location_id`);
-- create index "membership_user_id_location_id" to table: "memberships"
CREATE UNIQUE INDEX `membership_user_id_location_id` ON `memberships` (`user_id`, `location_id`);
-- create "services" table
CREATE TABLE `services` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `modality` text NOT NULL DEFAULT ('other'), `resource` text NOT NULL DEFAULT (''), `duration_minutes` integer NOT NULL, `price_cents` integer NOT NULL, `recall_months` integer NOT NULL DEFAULT (0), `active` bool NOT NULL DEFAULT (true), `description` text NOT NULL DEFAULT (''), `location_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `services_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION);
-- create index "service_location_id" to table: "services"
CREATE INDEX `service_location_id` ON `services` (`location_id`);
-- create index "service_location_id_name" to table: "services"
CREATE UNIQUE INDEX `service_location_id_name` ON `services` (`location_id`, `name`);
-- create "sessions" table
CREATE TABLE `sessions` (`id` text NOT NULL, `token_hash` blob NOT NULL, `location_id` text NULL, `method` text NOT NULL, `created_at` datetime NOT NULL, `last_seen_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `ip` text NOT NULL DEFAULT (''), `user_agent` text NOT NULL DEFAULT (''), `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `sessions_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "sessions_token_hash_key" to table: "sessions"
CREATE UNIQUE INDEX `sessions_token_hash_key` ON `sessions` (`token_hash`);
-- create index "session_user_id" to table: "sessions"
CREATE INDEX `session_user_id` ON `sessions` (`user_id`);
-- create index "session_expires_at" to table: "sessions"
CREATE INDEX `session_expires_at` ON `sessions` (`expires_at`);
-- create "tasks" table
CREATE TABLE `tasks` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `title` text NOT NULL, `description` text NOT NULL DEFAULT (''), `status` text NOT NULL DEFAULT ('pending'), `priority` text NOT NULL DEFAULT ('normal'), `due_at` datetime NULL, `completed_at` datetime NULL, `location_id` text NOT NULL, `contact_id` text NULL, `booking_id` text NULL, `assignee_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `tasks_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `tasks_contacts_contact` FOREIGN KEY (`contact_id`) REFERENCES `contacts` (`id`) ON DELETE SET NULL, CONSTRAINT `tasks_bookings_booking` FOREIGN KEY (`booking_id`) REFERENCES `bookings` (`id`) ON DELETE SET NULL, CONSTRAINT `tasks_users_assignee` FOREIGN KEY (`assignee_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "task_location_id" to table: "tasks"
CREATE INDEX `task_location_id` ON `tasks` (`location_id`);
-- create index "task_location_id_status_due_at" to table: "tasks"
CREATE INDEX `task_location_id_status_due_at` ON `tasks` (`location_id`, `status`, `due_at`);
-- create index "task_assignee_id_status" to table: "tasks"
CREATE INDEX `task_assignee_id_status` ON `tasks` (`assignee_id`, `status`);
-- create "touchpoints" table
CREATE TABLE `touchpoints` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `summary` text NOT NULL, `occurred_at` datetime NOT NULL, `location_id` text NOT NULL, `contact_id` text NOT NULL, `actor_id` text NULL, `booking_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `touchpoints_locations_location` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE NO ACTION, CONSTRAINT `touchpoints_contacts_contact` FOREIGN KEY (`contact_id`) REFERENCES `contacts` (`id`) ON DELETE CASCADE, CONSTRAINT `touchpoints_users_actor` FOREIGN KEY (`actor_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `touchpoints_bookings_booking` FOREIGN KEY (`booking_id`) REFERENCES `bookings` (`id`) ON DELETE SET NULL);
-- create index "touchpoint_location_id" to table: "touchpoints"
CREATE INDEX `touchpoint_location_id` ON `touchpoints` (`location_id`);
-- create index "touchpoint_contact_id_occurred_at" to table: "touchpoints"
CREATE INDEX `touchpoint_contact_id_occurred_at` ON `touchpoints` (`contact_id`, `occurred_at`);
-- create index "touchpoint_location_id_occurred_at" to table: "touchpoints"
CREATE INDEX `touchpoint_location_id_occurred_at` ON `touchpoints` (`location_id`, `occurred_at`);
-- create "users" table
CREATE TABLE `users` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `name` text NOT NULL DEFAULT (''), `status` text NOT NULL DEFAULT ('active'), `oidc_subject` text NULL, `last_seen_at` datetime NULL, `default_location_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `users_locations_default_location` FOREIGN KEY (`default_location_id`) REFERENCES `locations` (`id`) ON DELETE SET NULL);
-- create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX `users_email_key` ON `users` (`email`);
-- create index "users_oidc_subject_key" to table: "users"
CREATE UNIQUE INDEX `users_oidc_subject_key` ON `users` (`oidc_subject`);

-- +goose Down
-- reverse: create index "users_oidc_subject_key" to table: "users"
DROP INDEX `users_oidc_subject_key`;
-- reverse: create index "users_email_key" to table: "users"
DROP INDEX `users_email_key`;
-- reverse: create "users" table
DROP TABLE `users`;
-- reverse: create index "touchpoint_location_id_occurred_at" to table: "touchpoints"
DROP INDEX `touchpoint_location_id_occurred_at`;
-- reverse: create index "touchpoint_contact_id_occurred_at" to table: "touchpoints"
DROP INDEX `touchpoint_contact_id_occurred_at`;
-- reverse: create index "touchpoint_location_id" to table: "touchpoints"
DROP INDEX `touchpoint_location_id`;
-- reverse: create "touchpoints" table
DROP TABLE `touchpoints`;
-- reverse: create index "task_assignee_id_status" to table: "tasks"
DROP INDEX `task_assignee_id_status`;
-- reverse: create index "task_location_id_status_due_at" to table: "tasks"
DROP INDEX `task_location_id_status_due_at`;
-- reverse: create index "task_location_id" to table: "tasks"
DROP INDEX `task_location_id`;
-- reverse: create "tasks" table
DROP TABLE `tasks`;
-- reverse: create index "session_expires_at" to table: "sessions"
DROP INDEX `session_expires_at`;
-- reverse: create index "session_user_id" to table: "sessions"
DROP INDEX `session_user_id`;
-- reverse: create index "sessions_token_hash_key" to table: "sessions"
DROP INDEX `sessions_token_hash_key`;
-- reverse: create "sessions" table
DROP TABLE `sessions`;
-- reverse: create index "service_location_id_name" to table: "services"
DROP INDEX `service_location_id_name`;
-- reverse: create index "service_location_id" to table: "services"
DROP INDEX `service_location_id`;
-- reverse: create "services" table
DROP TABLE `services`;
-- reverse: create index "membership_user_id_location_id" to table: "memberships"
DROP INDEX `membership_user_id_location_id`;
-- reverse: create index "membership_location_id" to table: "memberships"
DROP INDEX `membership_location_id`;
-- reverse: create "memberships" table
DROP TABLE `memberships`;
-- reverse: create index "location_name" to table: "locations"
DROP INDEX `location_name`;
-- reverse: create index "locations_code_key" to table: "locations"
DROP INDEX `locations_code_key`;
-- reverse: create "locations" table
DROP TABLE `locations`;
-- reverse: create index "contact_location_id_last_name_first_name" to table: "contacts"
DROP INDEX `contact_location_id_last_name_first_name`;
-- reverse: create index "contact_location_id_pipeline_stage" to table: "contacts"
DROP INDEX `contact_location_id_pipeline_stage`;
-- reverse: create index "contact_location_id_warmness" to table: "contacts"
DROP INDEX `contact_location_id_warmness`;
-- reverse: create index "contact_location_id_email" to table: "contacts"
DROP INDEX `contact_location_id_email`;
-- reverse: create index "contact_location_id_phone" to table: "contacts"
DROP INDEX `contact_location_id_phone`;
-- reverse: create index "contact_location_id" to table: "contacts"
DROP INDEX `contact_location_id`;
-- reverse: create "contacts" table
DROP TABLE `contacts`;
-- reverse: create index "booking_location_id_source_external_id" to table: "bookings"
DROP INDEX `booking_location_id_source_external_id`;
-- reverse: create index "booking_contact_id_starts_at" to table: "bookings"
DROP INDEX `booking_contact_id_starts_at`;
-- reverse: create index "booking_location_id_starts_at" to table: "bookings"
DROP INDEX `booking_location_id_starts_at`;
-- reverse: create index "booking_location_id" to table: "bookings"
DROP INDEX `booking_location_id`;
-- reverse: create "bookings" table
DROP TABLE `bookings`;
