-- +goose Up
-- drop index "contact_location_id_archived_at" from table: "contacts"
DROP INDEX `contact_location_id_archived_at`;
-- create index "contact_location_id_date_of_birth" to table: "contacts"
CREATE INDEX `contact_location_id_date_of_birth` ON `contacts` (`location_id`, `date_of_birth`);

-- +goose Down
-- reverse: create index "contact_location_id_date_of_birth" to table: "contacts"
DROP INDEX `contact_location_id_date_of_birth`;
-- reverse: drop index "contact_location_id_archived_at" from table: "contacts"
CREATE INDEX `contact_location_id_archived_at` ON `contacts` (`location_id`, `archived_at`);
