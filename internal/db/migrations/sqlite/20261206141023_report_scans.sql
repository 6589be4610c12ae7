-- +goose Up
-- create index "booking_contact_id_created_at" to table: "bookings"
CREATE INDEX `booking_contact_id_created_at` ON `bookings` (`contact_id`, `created_at`);
-- create index "booking_contact_id_status_starts_at" to table: "bookings"
CREATE INDEX `booking_contact_id_status_starts_at` ON `bookings` (`contact_id`, `status`, `starts_at`);
-- drop index "contact_id_lead_source_campaign" from table: "contacts"
DROP INDEX `contact_id_lead_source_campaign`;
-- create index "contact_id_lead_source_campaign_created_at" to table: "contacts"
CREATE INDEX `contact_id_lead_source_campaign_created_at` ON `contacts` (`id`, `lead_source`, `campaign`, `created_at`);
-- drop index "stagechange_contact_id_at" from table: "stage_changes"
DROP INDEX `stagechange_contact_id_at`;
-- create index "stagechange_contact_id_at_from_stage_to_stage_location_id" to table: "stage_changes"
CREATE INDEX `stagechange_contact_id_at_from_stage_to_stage_location_id` ON `stage_changes` (`contact_id`, `at`, `from_stage`, `to_stage`, `location_id`);
-- create index "stagechange_location_id_at_contact_id" to table: "stage_changes"
CREATE INDEX `stagechange_location_id_at_contact_id` ON `stage_changes` (`location_id`, `at`, `contact_id`);
-- create index "stagechange_contact_id_from_stage_at" to table: "stage_changes"
CREATE INDEX `stagechange_contact_id_from_stage_at` ON `stage_changes` (`contact_id`, `from_stage`, `at`);
-- create index "warmnesssnapshot_location_id_contact_id_day_band" to table: "warmness_snapshots"
CREATE INDEX `warmnesssnapshot_location_id_contact_id_day_band` ON `warmness_snapshots` (`location_id`, `contact_id`, `day`, `band`);

-- +goose Down
-- reverse: create index "warmnesssnapshot_location_id_contact_id_day_band" to table: "warmness_snapshots"
DROP INDEX `warmnesssnapshot_location_id_contact_id_day_band`;
-- reverse: create index "stagechange_contact_id_from_stage_at" to table: "stage_changes"
DROP INDEX `stagechange_contact_id_from_stage_at`;
-- reverse: create index "stagechange_location_id_at_contact_id" to table: "stage_changes"
DROP INDEX `stagechange_location_id_at_contact_id`;
-- reverse: create index "stagechange_contact_id_at_from_stage_to_stage_location_id" to table: "stage_changes"
DROP INDEX `stagechange_contact_id_at_from_stage_to_stage_location_id`;
-- reverse: drop index "stagechange_contact_id_at" from table: "stage_changes"
CREATE INDEX `stagechange_contact_id_at` ON `stage_changes` (`contact_id`, `at`);
-- reverse: create index "contact_id_lead_source_campaign_created_at" to table: "contacts"
DROP INDEX `contact_id_lead_source_campaign_created_at`;
-- reverse: drop index "contact_id_lead_source_campaign" from table: "contacts"
CREATE INDEX `contact_id_lead_source_campaign` ON `contacts` (`id`, `lead_source`, `campaign`);
-- reverse: create index "booking_contact_id_status_starts_at" to table: "bookings"
DROP INDEX `booking_contact_id_status_starts_at`;
-- reverse: create index "booking_contact_id_created_at" to table: "bookings"
DROP INDEX `booking_contact_id_created_at`;
