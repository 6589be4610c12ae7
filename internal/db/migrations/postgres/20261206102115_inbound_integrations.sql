-- +goose Up
-- modify "webhook_events" table
ALTER TABLE "webhook_events" ADD COLUMN "history" jsonb NULL, ADD COLUMN "event_type" character varying NOT NULL DEFAULT '';
-- create index "webhookevent_location_id_source_status_received_at" to table: "webhook_events"
CREATE INDEX "webhookevent_location_id_source_status_received_at" ON "webhook_events" ("location_id", "source", "status", "received_at");
-- create "staff_alerts" table
CREATE TABLE "staff_alerts" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "topic" character varying NOT NULL, "subject" character varying NOT NULL DEFAULT '', "text" text NOT NULL, "status" character varying NOT NULL DEFAULT 'pending', "channel" character varying NOT NULL DEFAULT '', "last_error" character varying NOT NULL DEFAULT '', "sent_at" timestamptz NULL, "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "staff_alerts_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "staffalert_location_id" to table: "staff_alerts"
CREATE INDEX "staffalert_location_id" ON "staff_alerts" ("location_id");
-- create index "staffalert_location_id_created_at" to table: "staff_alerts"
CREATE INDEX "staffalert_location_id_created_at" ON "staff_alerts" ("location_id", "created_at");
-- create index "staffalert_location_id_topic_subject" to table: "staff_alerts"
CREATE UNIQUE INDEX "staffalert_location_id_topic_subject" ON "staff_alerts" ("location_id", "topic", "subject");
-- create "wix_services" table
CREATE TABLE "wix_services" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "wix_service_id" character varying NOT NULL, "wix_name" character varying NOT NULL DEFAULT '', "service_id" character varying NOT NULL, "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "wix_services_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "wixservice_location_id" to table: "wix_services"
CREATE INDEX "wixservice_location_id" ON "wix_services" ("location_id");
-- create index "wixservice_location_id_wix_service_id" to table: "wix_services"
CREATE UNIQUE INDEX "wixservice_location_id_wix_service_id" ON "wix_services" ("location_id", "wix_service_id");

-- +goose Down
-- reverse: create index "wixservice_location_id_wix_service_id" to table: "wix_services"
DROP INDEX "wixservice_location_id_wix_service_id";
-- reverse: create index "wixservice_location_id" to table: "wix_services"
DROP INDEX "wixservice_location_id";
-- reverse: create "wix_services" table
DROP TABLE "wix_services";
-- reverse: create index "staffalert_location_id_topic_subject" to table: "staff_alerts"
DROP INDEX "staffalert_location_id_topic_subject";
-- reverse: create index "staffalert_location_id_created_at" to table: "staff_alerts"
DROP INDEX "staffalert_location_id_created_at";
-- reverse: create index "staffalert_location_id" to table: "staff_alerts"
DROP INDEX "staffalert_location_id";
-- reverse: create "staff_alerts" table
DROP TABLE "staff_alerts";
-- reverse: create index "webhookevent_location_id_source_status_received_at" to table: "webhook_events"
DROP INDEX "webhookevent_location_id_source_status_received_at";
-- reverse: modify "webhook_events" table
ALTER TABLE "webhook_events" DROP COLUMN "event_type", DROP COLUMN "history";
