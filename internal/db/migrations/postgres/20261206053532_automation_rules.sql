-- +goose Up
-- create "automation_rules" table
CREATE TABLE "automation_rules" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "trigger" character varying NOT NULL, "condition" text NOT NULL DEFAULT '', "delay_seconds" bigint NOT NULL DEFAULT 0, "actions" jsonb NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "default_key" character varying NOT NULL DEFAULT '', "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "automation_rules_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "automationrule_location_id" to table: "automation_rules"
CREATE INDEX "automationrule_location_id" ON "automation_rules" ("location_id");
-- create index "automationrule_location_id_trigger_enabled" to table: "automation_rules"
CREATE INDEX "automationrule_location_id_trigger_enabled" ON "automation_rules" ("location_id", "trigger", "enabled");
-- create "automation_runs" table
CREATE TABLE "automation_runs" ("id" character varying NOT NULL, "event_id" character varying NULL, "event_type" character varying NOT NULL DEFAULT '', "contact_id" character varying NULL, "booking_id" character varying NULL, "outcome" character varying NOT NULL, "detail" text NOT NULL DEFAULT '', "steps" jsonb NULL, "error" text NOT NULL DEFAULT '', "started_at" timestamptz NOT NULL, "finished_at" timestamptz NULL, "location_id" character varying NOT NULL, "rule_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "automation_runs_automation_rules_rule" FOREIGN KEY ("rule_id") REFERENCES "automation_rules" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "automation_runs_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "automationrun_location_id" to table: "automation_runs"
CREATE INDEX "automationrun_location_id" ON "automation_runs" ("location_id");
-- create index "automationrun_location_id_contact_id_started_at" to table: "automation_runs"
CREATE INDEX "automationrun_location_id_contact_id_started_at" ON "automation_runs" ("location_id", "contact_id", "started_at");
-- create index "automationrun_rule_id_event_id" to table: "automation_runs"
CREATE UNIQUE INDEX "automationrun_rule_id_event_id" ON "automation_runs" ("rule_id", "event_id");
-- create index "automationrun_rule_id_started_at" to table: "automation_runs"
CREATE INDEX "automationrun_rule_id_started_at" ON "automation_runs" ("rule_id", "started_at");

-- +goose Down
-- reverse: create index "automationrun_rule_id_started_at" to table: "automation_runs"
DROP INDEX "automationrun_rule_id_started_at";
-- reverse: create index "automationrun_rule_id_event_id" to table: "automation_runs"
DROP INDEX "automationrun_rule_id_event_id";
-- reverse: create index "automationrun_location_id_contact_id_started_at" to table: "automation_runs"
DROP INDEX "automationrun_location_id_contact_id_started_at";
-- reverse: create index "automationrun_location_id" to table: "automation_runs"
DROP INDEX "automationrun_location_id";
-- reverse: create "automation_runs" table
DROP TABLE "automation_runs";
-- reverse: create index "automationrule_location_id_trigger_enabled" to table: "automation_rules"
DROP INDEX "automationrule_location_id_trigger_enabled";
-- reverse: create index "automationrule_location_id" to table: "automation_rules"
DROP INDEX "automationrule_location_id";
-- reverse: create "automation_rules" table
DROP TABLE "automation_rules";
