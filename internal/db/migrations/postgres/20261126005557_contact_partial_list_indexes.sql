-- +goose Up
-- drop index "contact_location_id_pipeline_stage" from table: "contacts"
DROP INDEX "contact_location_id_pipeline_stage";
-- drop index "contact_location_id_pipeline_warmness_id" from table: "contacts"
DROP INDEX "contact_location_id_pipeline_warmness_id";
-- drop index "contact_location_id_warmness_id" from table: "contacts"
DROP INDEX "contact_location_id_warmness_id";
-- create index "contact_location_id_pipeline_stage" to table: "contacts"
CREATE INDEX "contact_location_id_pipeline_stage" ON "contacts" ("location_id", "pipeline", "stage") WHERE (archived_at IS NULL);
-- create index "contact_location_id_pipeline_warmness_id" to table: "contacts"
CREATE INDEX "contact_location_id_pipeline_warmness_id" ON "contacts" ("location_id", "pipeline", "warmness", "id") WHERE (archived_at IS NULL);
-- create index "contact_location_id_warmness_id" to table: "contacts"
CREATE INDEX "contact_location_id_warmness_id" ON "contacts" ("location_id", "warmness", "id") WHERE (archived_at IS NULL);

-- +goose Down
-- reverse: create index "contact_location_id_warmness_id" to table: "contacts"
DROP INDEX "contact_location_id_warmness_id";
-- reverse: create index "contact_location_id_pipeline_warmness_id" to table: "contacts"
DROP INDEX "contact_location_id_pipeline_warmness_id";
-- reverse: create index "contact_location_id_pipeline_stage" to table: "contacts"
DROP INDEX "contact_location_id_pipeline_stage";
-- reverse: drop index "contact_location_id_warmness_id" from table: "contacts"
CREATE INDEX "contact_location_id_warmness_id" ON "contacts" ("location_id", "warmness", "id");
-- reverse: drop index "contact_location_id_pipeline_warmness_id" from table: "contacts"
CREATE INDEX "contact_location_id_pipeline_warmness_id" ON "contacts" ("location_id", "pipeline", "warmness", "id");
-- reverse: drop index "contact_location_id_pipeline_stage" from table: "contacts"
CREATE INDEX "contact_location_id_pipeline_stage" ON "contacts" ("location_id", "pipeline", "stage");
