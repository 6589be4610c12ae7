-- +goose Up
-- create index "booking_location_id_starts_at__a2138df6b21b3881ff32b405f8c1aa46" to table: "bookings"
CREATE INDEX "booking_location_id_starts_at__a2138df6b21b3881ff32b405f8c1aa46" ON "bookings" ("location_id", "starts_at", "status", "contact_id", "service_id", "created_at", "confirmed_at", "staff_id", "price_cents");
-- create index "contact_id_lead_source_campaign" to table: "contacts"
CREATE INDEX "contact_id_lead_source_campaign" ON "contacts" ("id", "lead_source", "campaign");

-- +goose Down
-- reverse: create index "contact_id_lead_source_campaign" to table: "contacts"
DROP INDEX "contact_id_lead_source_campaign";
-- reverse: create index "booking_location_id_starts_at__a2138df6b21b3881ff32b405f8c1aa46" to table: "bookings"
DROP INDEX "booking_location_id_starts_at__a2138df6b21b3881ff32b405f8c1aa46";
