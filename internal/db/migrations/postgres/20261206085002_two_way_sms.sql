-- +goose Up
-- modify "booking_events" table
ALTER TABLE "booking_events" ADD COLUMN "message_id" character varying NULL;
-- modify "contacts" table
ALTER TABLE "contacts" ADD COLUMN "sms_failed_at" timestamptz NULL, ADD COLUMN "sms_failed_reason" character varying NULL;
-- modify "messages" table
ALTER TABLE "messages" ADD COLUMN "direction" character varying NOT NULL DEFAULT 'outbound', ADD COLUMN "from" character varying NULL, ADD COLUMN "intent" character varying NULL, ADD COLUMN "intent_confidence" double precision NULL, ADD COLUMN "action" character varying NULL, ADD COLUMN "action_note" character varying NOT NULL DEFAULT '', ADD COLUMN "task_id" character varying NULL, ADD COLUMN "undo" jsonb NULL, ADD COLUMN "action_undone_at" timestamptz NULL, ADD COLUMN "action_undone_by_id" character varying NULL, ADD COLUMN "reply_to_id" character varying NULL;
-- create index "message_location_id_provider_message_id" to table: "messages"
CREATE INDEX "message_location_id_provider_message_id" ON "messages" ("location_id", "provider_message_id");
-- create index "message_location_id_updated_at" to table: "messages"
CREATE INDEX "message_location_id_updated_at" ON "messages" ("location_id", "updated_at");
-- modify "locations" table
ALTER TABLE "locations" ADD COLUMN "sms_webhook_token" character varying NULL;
-- create "conversations" table
CREATE TABLE "conversations" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "needs_reply" boolean NOT NULL DEFAULT false, "unread_count" bigint NOT NULL DEFAULT 0, "last_message_at" timestamptz NULL, "last_inbound_at" timestamptz NULL, "last_message_preview" character varying NOT NULL DEFAULT '', "done_at" timestamptz NULL, "location_id" character varying NOT NULL, "contact_id" character varying NOT NULL, "assignee_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "conversations_contacts_contact" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "conversations_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "conversations_users_assignee" FOREIGN KEY ("assignee_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- create index "conversation_location_id" to table: "conversations"
CREATE INDEX "conversation_location_id" ON "conversations" ("location_id");
-- create index "conversation_location_id_contact_id" to table: "conversations"
CREATE UNIQUE INDEX "conversation_location_id_contact_id" ON "conversations" ("location_id", "contact_id");
-- create index "conversation_location_id_needs_reply_last_message_at" to table: "conversations"
CREATE INDEX "conversation_location_id_needs_reply_last_message_at" ON "conversations" ("location_id", "needs_reply", "last_message_at");
-- create index "conversation_location_id_updated_at" to table: "conversations"
CREATE INDEX "conversation_location_id_updated_at" ON "conversations" ("location_id", "updated_at");
-- create "webhook_events" table
CREATE TABLE "webhook_events" ("id" character varying NOT NULL, "source" character varying NOT NULL, "kind" character varying NOT NULL, "event_id" character varying NOT NULL, "payload" text NOT NULL, "received_at" timestamptz NOT NULL, "status" character varying NOT NULL DEFAULT 'received', "attempts" bigint NOT NULL DEFAULT 0, "last_error" character varying NOT NULL DEFAULT '', "processed_at" timestamptz NULL, "duplicates" bigint NOT NULL DEFAULT 0, "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "webhook_events_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "webhookevent_location_id" to table: "webhook_events"
CREATE INDEX "webhookevent_location_id" ON "webhook_events" ("location_id");
-- create index "webhookevent_location_id_received_at" to table: "webhook_events"
CREATE INDEX "webhookevent_location_id_received_at" ON "webhook_events" ("location_id", "received_at");
-- create index "webhookevent_location_id_source_kind_event_id" to table: "webhook_events"
CREATE UNIQUE INDEX "webhookevent_location_id_source_kind_event_id" ON "webhook_events" ("location_id", "source", "kind", "event_id");

-- +goose Down
-- reverse: create index "webhookevent_location_id_source_kind_event_id" to table: "webhook_events"
DROP INDEX "webhookevent_location_id_source_kind_event_id";
-- reverse: create index "webhookevent_location_id_received_at" to table: "webhook_events"
DROP INDEX "webhookevent_location_id_received_at";
-- reverse: create index "webhookevent_location_id" to table: "webhook_events"
DROP INDEX "webhookevent_location_id";
-- reverse: create "webhook_events" table
DROP TABLE "webhook_events";
-- reverse: create index "conversation_location_id_updated_at" to table: "conversations"
DROP INDEX "conversation_location_id_updated_at";
-- reverse: create index "conversation_location_id_needs_reply_last_message_at" to table: "conversations"
DROP INDEX "conversation_location_id_needs_reply_last_message_at";
-- reverse: create index "conversation_location_id_contact_id" to table: "conversations"
DROP INDEX "conversation_location_id_contact_id";
-- reverse: create index "conversation_location_id" to table: "conversations"
DROP INDEX "conversation_location_id";
-- reverse: create "conversations" table
DROP TABLE "conversations";
-- reverse: modify "locations" table
ALTER TABLE "locations" DROP COLUMN "sms_webhook_token";
-- reverse: create index "message_location_id_updated_at" to table: "messages"
DROP INDEX "message_location_id_updated_at";
-- reverse: create index "message_location_id_provider_message_id" to table: "messages"
DROP INDEX "message_location_id_provider_message_id";
-- reverse: modify "messages" table
ALTER TABLE "messages" DROP COLUMN "reply_to_id", DROP COLUMN "action_undone_by_id", DROP COLUMN "action_undone_at", DROP COLUMN "undo", DROP COLUMN "task_id", DROP COLUMN "action_note", DROP COLUMN "action", DROP COLUMN "intent_confidence", DROP COLUMN "intent", DROP COLUMN "from", DROP COLUMN "direction";
-- reverse: modify "contacts" table
ALTER TABLE "contacts" DROP COLUMN "sms_failed_reason", DROP COLUMN "sms_failed_at";
-- reverse: modify "booking_events" table
ALTER TABLE "booking_events" DROP COLUMN "message_id";
