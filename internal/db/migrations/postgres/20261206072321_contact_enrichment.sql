-- +goose Up
-- modify "contacts" table
ALTER TABLE "contacts" ADD COLUMN "interested_service_id" character varying NULL, ADD COLUMN "lead_intent" character varying NULL, ADD COLUMN "urgency" character varying NULL, ADD COLUMN "enrichment" jsonb NULL;

-- +goose Down
-- reverse: modify "contacts" table
ALTER TABLE "contacts" DROP COLUMN "enrichment", DROP COLUMN "urgency", DROP COLUMN "lead_intent", DROP COLUMN "interested_service_id";
