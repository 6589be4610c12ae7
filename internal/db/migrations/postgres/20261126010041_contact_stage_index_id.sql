-- +goose Up
-- drop index "contact_location_id_pipeline_stage" from table: "contacts"
DROP INDEX "contact_location_id_pipeline_stage";
-- create index "contact_location_id_pipeline_stage_id" to table: "contacts"
CREATE INDEX "contact_location_id_pipeline_stage_id" ON "contacts" ("location_id", "pipeline", "stage", "id") WHERE (archived_at IS NULL);

-- +goose Down
-- reverse: create index "contact_location_id_pipeline_stage_id" to table: "contacts"
DROP INDEX "contact_location_id_pipeline_stage_id";
-- reverse: drop index "contact_location_id_pipeline_stage" from table: "contacts"
CREATE INDEX "contact_location_id_pipeline_stage" ON "contacts" ("location_id", "pipeline", "stage") WHERE (archived_at IS NULL);
