-- +goose Up
-- create "messages" table
CREATE TABLE "messages" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "channel" character varying NOT NULL DEFAULT 'sms', "status" character varying NOT NULL DEFAULT 'queued', "suppressed_reason" character varying NULL, "error" character varying NOT NULL DEFAULT '', "to" character varying NOT NULL, "body" text NOT NULL, "template" character varying NOT NULL DEFAULT '', "marketing" boolean NOT NULL DEFAULT false, "urgent" boolean NOT NULL DEFAULT false, "segments" bigint NOT NULL DEFAULT 1, "cost_cents" bigint NOT NULL DEFAULT 0, "provider" character varying NOT NULL DEFAULT '', "provider_message_id" character varying NULL, "booking_starts_at" timestamptz NULL, "covers" jsonb NULL, "rule_id" character varying NULL, "key" character varying NULL, "send_after" timestamptz NULL, "sent_at" timestamptz NULL, "location_id" character varying NOT NULL, "contact_id" character varying NOT NULL, "booking_id" character varying NULL, "sent_by_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "messages_bookings_booking" FOREIGN KEY ("booking_id") REFERENCES "bookings" ("id") ON UPDATE NO ACTION ON DELETE SET NULL, CONSTRAINT "messages_contacts_contact" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "messages_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "messages_users_sent_by" FOREIGN KEY ("sent_by_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- create index "message_contact_id_created_at" to table: "messages"
CREATE INDEX "message_contact_id_created_at" ON "messages" ("contact_id", "created_at");
-- create index "message_location_id" to table: "messages"
CREATE INDEX "message_location_id" ON "messages" ("location_id");
-- create index "message_location_id_created_at" to table: "messages"
CREATE INDEX "message_location_id_created_at" ON "messages" ("location_id", "created_at");
-- create index "message_location_id_key" to table: "messages"
CREATE UNIQUE INDEX "message_location_id_key" ON "messages" ("location_id", "key");
-- create index "message_location_id_status" to table: "messages"
CREATE INDEX "message_location_id_status" ON "messages" ("location_id", "status");
-- create "opt_outs" table
CREATE TABLE "opt_outs" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "channel" character varying NOT NULL DEFAULT 'sms', "address" character varying NOT NULL, "source" character varying NOT NULL DEFAULT 'staff', "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "opt_outs_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "optout_location_id" to table: "opt_outs"
CREATE INDEX "optout_location_id" ON "opt_outs" ("location_id");
-- create index "optout_location_id_channel_address" to table: "opt_outs"
CREATE UNIQUE INDEX "optout_location_id_channel_address" ON "opt_outs" ("location_id", "channel", "address");
-- create "sms_templates" table
CREATE TABLE "sms_templates" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "key" character varying NOT NULL, "name" character varying NOT NULL, "body" character varying NOT NULL, "marketing" boolean NOT NULL DEFAULT false, "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "sms_templates_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "smstemplate_location_id" to table: "sms_templates"
CREATE INDEX "smstemplate_location_id" ON "sms_templates" ("location_id");
-- create index "smstemplate_location_id_key" to table: "sms_templates"
CREATE UNIQUE INDEX "smstemplate_location_id_key" ON "sms_templates" ("location_id", "key");

-- +goose Down
-- reverse: create index "smstemplate_location_id_key" to table: "sms_templates"
DROP INDEX "smstemplate_location_id_key";
-- reverse: create index "smstemplate_location_id" to table: "sms_templates"
DROP INDEX "smstemplate_location_id";
-- reverse: create "sms_templates" table
DROP TABLE "sms_templates";
-- reverse: create index "optout_location_id_channel_address" to table: "opt_outs"
DROP INDEX "optout_location_id_channel_address";
-- reverse: create index "optout_location_id" to table: "opt_outs"
DROP INDEX "optout_location_id";
-- reverse: create "opt_outs" table
DROP TABLE "opt_outs";
-- reverse: create index "message_location_id_status" to table: "messages"
DROP INDEX "message_location_id_status";
-- reverse: create index "message_location_id_key" to table: "messages"
DROP INDEX "message_location_id_key";
-- reverse: create index "message_location_id_created_at" to table: "messages"
DROP INDEX "message_location_id_created_at";
-- reverse: create index "message_location_id" to table: "messages"
DROP INDEX "message_location_id";
-- reverse: create index "message_contact_id_created_at" to table: "messages"
DROP INDEX "message_contact_id_created_at";
-- reverse: create "messages" table
DROP TABLE "messages";
