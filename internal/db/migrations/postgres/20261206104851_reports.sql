-- +goose Up
-- modify "contacts" table
ALTER TABLE "contacts" ADD COLUMN "campaign" character varying NULL;
-- create "ad_spends" table
CREATE TABLE "ad_spends" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "source" character varying NOT NULL, "month" character varying NOT NULL, "cents" bigint NOT NULL, "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "ad_spends_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "adspend_location_id" to table: "ad_spends"
CREATE INDEX "adspend_location_id" ON "ad_spends" ("location_id");
-- create index "adspend_location_id_source_month" to table: "ad_spends"
CREATE UNIQUE INDEX "adspend_location_id_source_month" ON "ad_spends" ("location_id", "source", "month");
-- create "report_emails" table
CREATE TABLE "report_emails" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "key" character varying NOT NULL, "user_id" character varying NULL, "to" character varying NOT NULL, "subject" character varying NOT NULL, "html" text NOT NULL, "text" text NOT NULL, "provider" character varying NOT NULL DEFAULT 'outbox', "status" character varying NOT NULL DEFAULT 'stored', "error" character varying NOT NULL DEFAULT '', "sent_at" timestamptz NULL, "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "report_emails_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "reportemail_location_id" to table: "report_emails"
CREATE INDEX "reportemail_location_id" ON "report_emails" ("location_id");
-- create index "reportemail_location_id_key" to table: "report_emails"
CREATE UNIQUE INDEX "reportemail_location_id_key" ON "report_emails" ("location_id", "key");
-- create "report_runs" table
CREATE TABLE "report_runs" ("id" character varying NOT NULL, "report_id" character varying NULL, "kind" character varying NOT NULL, "trigger" character varying NOT NULL DEFAULT 'manual', "ran_by_id" character varying NULL, "ran_at" timestamptz NOT NULL, "period_key" character varying NOT NULL DEFAULT '', "request" text NOT NULL, "result" text NOT NULL, "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "report_runs_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "reportrun_location_id" to table: "report_runs"
CREATE INDEX "reportrun_location_id" ON "report_runs" ("location_id");
-- create index "reportrun_report_id_period_key" to table: "report_runs"
CREATE UNIQUE INDEX "reportrun_report_id_period_key" ON "report_runs" ("report_id", "period_key");
-- create index "reportrun_report_id_ran_at" to table: "report_runs"
CREATE INDEX "reportrun_report_id_ran_at" ON "report_runs" ("report_id", "ran_at");
-- create "report_subscriptions" table
CREATE TABLE "report_subscriptions" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "user_id" character varying NOT NULL, "weekly" boolean NOT NULL DEFAULT false, "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "report_subscriptions_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "reportsubscription_location_id" to table: "report_subscriptions"
CREATE INDEX "reportsubscription_location_id" ON "report_subscriptions" ("location_id");
-- create index "reportsubscription_location_id_user_id" to table: "report_subscriptions"
CREATE UNIQUE INDEX "reportsubscription_location_id_user_id" ON "report_subscriptions" ("location_id", "user_id");
-- create "saved_reports" table
CREATE TABLE "saved_reports" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "kind" character varying NOT NULL, "request" text NOT NULL, "schedule" character varying NOT NULL DEFAULT 'none', "created_by_id" character varying NULL, "last_run_at" timestamptz NULL, "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "saved_reports_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "savedreport_location_id" to table: "saved_reports"
CREATE INDEX "savedreport_location_id" ON "saved_reports" ("location_id");
-- create index "savedreport_location_id_name" to table: "saved_reports"
CREATE INDEX "savedreport_location_id_name" ON "saved_reports" ("location_id", "name");
-- create "warmness_snapshots" table
CREATE TABLE "warmness_snapshots" ("id" character varying NOT NULL, "contact_id" character varying NOT NULL, "day" character varying NOT NULL, "score" bigint NOT NULL, "band" bigint NOT NULL, "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "warmness_snapshots_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "warmnesssnapshot_contact_id_day" to table: "warmness_snapshots"
CREATE UNIQUE INDEX "warmnesssnapshot_contact_id_day" ON "warmness_snapshots" ("contact_id", "day");
-- create index "warmnesssnapshot_location_id" to table: "warmness_snapshots"
CREATE INDEX "warmnesssnapshot_location_id" ON "warmness_snapshots" ("location_id");
-- create index "warmnesssnapshot_location_id_day" to table: "warmness_snapshots"
CREATE INDEX "warmnesssnapshot_location_id_day" ON "warmness_snapshots" ("location_id", "day");

-- +goose Down
-- reverse: create index "warmnesssnapshot_location_id_day" to table: "warmness_snapshots"
DROP INDEX "warmnesssnapshot_location_id_day";
-- reverse: create index "warmnesssnapshot_location_id" to table: "warmness_snapshots"
DROP INDEX "warmnesssnapshot_location_id";
-- reverse: create index "warmnesssnapshot_contact_id_day" to table: "warmness_snapshots"
DROP INDEX "warmnesssnapshot_contact_id_day";
-- reverse: create "warmness_snapshots" table
DROP TABLE "warmness_snapshots";
-- reverse: create index "savedreport_location_id_name" to table: "saved_reports"
DROP INDEX "savedreport_location_id_name";
-- reverse: create index "savedreport_location_id" to table: "saved_reports"
DROP INDEX "savedreport_location_id";
-- reverse: create "saved_reports" table
DROP TABLE "saved_reports";
-- reverse: create index "reportsubscription_location_id_user_id" to table: "report_subscriptions"
DROP INDEX "reportsubscription_location_id_user_id";
-- reverse: create index "reportsubscription_location_id" to table: "report_subscriptions"
DROP INDEX "reportsubscription_location_id";
-- reverse: create "report_subscriptions" table
DROP TABLE "report_subscriptions";
-- reverse: create index "reportrun_report_id_ran_at" to table: "report_runs"
DROP INDEX "reportrun_report_id_ran_at";
-- reverse: create index "reportrun_report_id_period_key" to table: "report_runs"
DROP INDEX "reportrun_report_id_period_key";
-- reverse: create index "reportrun_location_id" to table: "report_runs"
DROP INDEX "reportrun_location_id";
-- reverse: create "report_runs" table
DROP TABLE "report_runs";
-- reverse: create index "reportemail_location_id_key" to table: "report_emails"
DROP INDEX "reportemail_location_id_key";
-- reverse: create index "reportemail_location_id" to table: "report_emails"
DROP INDEX "reportemail_location_id";
-- reverse: create "report_emails" table
DROP TABLE "report_emails";
-- reverse: create index "adspend_location_id_source_month" to table: "ad_spends"
DROP INDEX "adspend_location_id_source_month";
-- reverse: create index "adspend_location_id" to table: "ad_spends"
DROP INDEX "adspend_location_id";
-- reverse: create "ad_spends" table
DROP TABLE "ad_spends";
-- reverse: modify "contacts" table
ALTER TABLE "contacts" DROP COLUMN "campaign";
