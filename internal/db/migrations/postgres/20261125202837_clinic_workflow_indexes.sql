-- +goose Up
-- create index "contact_location_id_archived_at" to table: "contacts"
CREATE INDEX "contact_location_id_archived_at" ON "contacts" ("location_id", "archived_at");
-- create index "task_location_id_status_priority_rank" to table: "tasks"
CREATE INDEX "task_location_id_status_priority_rank" ON "tasks" ("location_id", "status", "priority_rank");

-- +goose Down
-- reverse: create index "task_location_id_status_priority_rank" to table: "tasks"
DROP INDEX "task_location_id_status_priority_rank";
-- reverse: create index "contact_location_id_archived_at" to table: "contacts"
DROP INDEX "contact_location_id_archived_at";
