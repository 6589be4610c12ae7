-- +goose Up
-- create index "booking_location_id_starts_at_s_df7901ea886be5c2c2b966e5a9a3a67f" to table: "bookings"
CREATE INDEX `booking_location_id_starts_at_s_df7901ea886be5c2c2b966e5a9a3a67f` ON `bookings` (`location_id`, `starts_at`, `status`, `contact_id`, `service_id`, `created_at`, `confirmed_at`, `staff_id`, `price_cents`);
-- create index "contact_id_lead_source_campaign" to table: "contacts"
CREATE INDEX `contact_id_lead_source_campaign` ON `contacts` (`id`, `lead_source`, `campaign`);

-- +goose Down
-- reverse: create index "contact_id_lead_source_campaign" to table: "contacts"
DROP INDEX `contact_id_lead_source_campaign`;
-- reverse: create index "booking_location_id_starts_at_s_df7901ea886be5c2c2b966e5a9a3a67f" to table: "bookings"
DROP INDEX `booking_location_id_starts_at_s_df7901ea886be5c2c2b966e5a9a3a67f`;
