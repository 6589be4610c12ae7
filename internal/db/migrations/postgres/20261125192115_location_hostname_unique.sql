-- +goose Up
-- create index "location_hostname" to table: "locations"
CREATE UNIQUE INDEX "location_hostname" ON "locations" ("hostname");

-- +goose Down
-- reverse: create index "location_hostname" to table: "locations"
DROP INDEX "location_hostname";
