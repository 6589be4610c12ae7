-- +goose Up
-- modify "ai_usages" table
ALTER TABLE "ai_usages" ADD COLUMN "calls" bigint NOT NULL DEFAULT 1, ADD COLUMN "slot" character varying NULL;
-- create index "aiusage_location_id_slot" to table: "ai_usages"
CREATE UNIQUE INDEX "aiusage_location_id_slot" ON "ai_usages" ("location_id", "slot");

-- +goose Down
-- reverse: create index "aiusage_location_id_slot" to table: "ai_usages"
DROP INDEX "aiusage_location_id_slot";
-- reverse: modify "ai_usages" table
ALTER TABLE "ai_usages" DROP COLUMN "slot", DROP COLUMN "calls";
