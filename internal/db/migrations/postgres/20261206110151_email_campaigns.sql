-- +goose Up
-- create "campaigns" table
CREATE TABLE "campaigns" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "goal" character varying NOT NULL DEFAULT '', "audience" jsonb NULL, "subject" character varying NOT NULL DEFAULT '', "html_body" character varying NOT NULL DEFAULT '', "text_body" character varying NOT NULL DEFAULT '', "from_name" character varying NOT NULL DEFAULT '', "from_address" character varying NOT NULL DEFAULT '', "status" character varying NOT NULL DEFAULT 'draft', "status_note" character varying NOT NULL DEFAULT '', "scheduled_at" timestamptz NULL, "started_at" timestamptz NULL, "finished_at" timestamptz NULL, "links" jsonb NULL, "created_by_id" character varying NULL, "recipient_count" bigint NOT NULL DEFAULT 0, "send_after" timestamptz NULL, "round" bigint NOT NULL DEFAULT 0, "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "campaigns_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "campaign_location_id" to table: "campaigns"
CREATE INDEX "campaign_location_id" ON "campaigns" ("location_id");
-- create index "campaign_location_id_created_at" to table: "campaigns"
CREATE INDEX "campaign_location_id_created_at" ON "campaigns" ("location_id", "created_at");
-- create index "campaign_location_id_status" to table: "campaigns"
CREATE INDEX "campaign_location_id_status" ON "campaigns" ("location_id", "status");
-- modify "contacts" table
ALTER TABLE "contacts" ADD COLUMN "email_unsubscribed_at" timestamptz NULL, ADD COLUMN "email_failed_at" timestamptz NULL, ADD COLUMN "email_failed_reason" character varying NULL;
-- create "campaign_recipients" table
CREATE TABLE "campaign_recipients" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "address" character varying NOT NULL, "status" character varying NOT NULL DEFAULT 'queued', "reason" character varying NOT NULL DEFAULT '', "provider" character varying NOT NULL DEFAULT '', "provider_message_id" character varying NULL, "message_id" character varying NULL, "sent_at" timestamptz NULL, "first_opened_at" timestamptz NULL, "open_count" bigint NOT NULL DEFAULT 0, "first_clicked_at" timestamptz NULL, "click_count" bigint NOT NULL DEFAULT 0, "unsubscribed_at" timestamptz NULL, "attempts" bigint NOT NULL DEFAULT 0, "claimed_until" timestamptz NULL, "location_id" character varying NOT NULL, "campaign_id" character varying NOT NULL, "contact_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "campaign_recipients_campaigns_campaign" FOREIGN KEY ("campaign_id") REFERENCES "campaigns" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "campaign_recipients_contacts_contact" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "campaign_recipients_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "campaignrecipient_campaign_id_contact_id" to table: "campaign_recipients"
CREATE UNIQUE INDEX "campaignrecipient_campaign_id_contact_id" ON "campaign_recipients" ("campaign_id", "contact_id");
-- create index "campaignrecipient_campaign_id_status" to table: "campaign_recipients"
CREATE INDEX "campaignrecipient_campaign_id_status" ON "campaign_recipients" ("campaign_id", "status");
-- create index "campaignrecipient_contact_id_created_at" to table: "campaign_recipients"
CREATE INDEX "campaignrecipient_contact_id_created_at" ON "campaign_recipients" ("contact_id", "created_at");
-- create index "campaignrecipient_location_id" to table: "campaign_recipients"
CREATE INDEX "campaignrecipient_location_id" ON "campaign_recipients" ("location_id");
-- create "campaign_events" table
CREATE TABLE "campaign_events" ("id" character varying NOT NULL, "kind" character varying NOT NULL, "link_index" bigint NULL, "occurred_at" timestamptz NOT NULL, "location_id" character varying NOT NULL, "campaign_id" character varying NOT NULL, "recipient_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "campaign_events_campaign_recipients_recipient" FOREIGN KEY ("recipient_id") REFERENCES "campaign_recipients" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "campaign_events_campaigns_campaign" FOREIGN KEY ("campaign_id") REFERENCES "campaigns" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "campaign_events_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "campaignevent_campaign_id_occurred_at" to table: "campaign_events"
CREATE INDEX "campaignevent_campaign_id_occurred_at" ON "campaign_events" ("campaign_id", "occurred_at");
-- create index "campaignevent_location_id" to table: "campaign_events"
CREATE INDEX "campaignevent_location_id" ON "campaign_events" ("location_id");
-- the default grants campaigns gained (issue 17: managers send, staff draft) for locations whose table exists already
INSERT INTO "permissions" ("id", "created_at", "updated_at", "role", "resource", "action", "condition", "location_id") SELECT 'prm_01KC' || upper(substr(md5(random()::text || l."id"), 1, 22)), now(), now(), 'manager', 'campaigns', 'send', 'own_location_only', l."id" FROM "locations" l WHERE EXISTS (SELECT 1 FROM "permissions" p WHERE p."location_id" = l."id") AND NOT EXISTS (SELECT 1 FROM "permissions" p WHERE p."location_id" = l."id" AND p."role" = 'manager' AND p."resource" = 'campaigns' AND p."action" = 'send');
INSERT INTO "permissions" ("id", "created_at", "updated_at", "role", "resource", "action", "condition", "location_id") SELECT 'prm_01KC' || upper(substr(md5(random()::text || l."id"), 1, 22)), now(), now(), 'staff', 'campaigns', 'create', 'own_location_only', l."id" FROM "locations" l WHERE EXISTS (SELECT 1 FROM "permissions" p WHERE p."location_id" = l."id") AND NOT EXISTS (SELECT 1 FROM "permissions" p WHERE p."location_id" = l."id" AND p."role" = 'staff' AND p."resource" = 'campaigns' AND p."action" = 'create');
INSERT INTO "permissions" ("id", "created_at", "updated_at", "role", "resource", "action", "condition", "location_id") SELECT 'prm_01KC' || upper(substr(md5(random()::text || l."id"), 1, 22)), now(), now(), 'staff', 'campaigns', 'update', 'own_location_only', l."id" FROM "locations" l WHERE EXISTS (SELECT 1 FROM "permissions" p WHERE p."location_id" = l."id") AND NOT EXISTS (SELECT 1 FROM "permissions" p WHERE p."location_id" = l."id" AND p."role" = 'staff' AND p."resource" = 'campaigns' AND p."action" = 'update');

-- +goose Down
-- reverse: create index "campaignevent_location_id" to table: "campaign_events"
DROP INDEX "campaignevent_location_id";
-- reverse: create index "campaignevent_campaign_id_occurred_at" to table: "campaign_events"
DROP INDEX "campaignevent_campaign_id_occurred_at";
-- reverse: create "campaign_events" table
DROP TABLE "campaign_events";
-- reverse: create index "campaignrecipient_location_id" to table: "campaign_recipients"
DROP INDEX "campaignrecipient_location_id";
-- reverse: create index "campaignrecipient_contact_id_created_at" to table: "campaign_recipients"
DROP INDEX "campaignrecipient_contact_id_created_at";
-- reverse: create index "campaignrecipient_campaign_id_status" to table: "campaign_recipients"
DROP INDEX "campaignrecipient_campaign_id_status";
-- reverse: create index "campaignrecipient_campaign_id_contact_id" to table: "campaign_recipients"
DROP INDEX "campaignrecipient_campaign_id_contact_id";
-- reverse: create "campaign_recipients" table
DROP TABLE "campaign_recipients";
-- reverse: modify "contacts" table
ALTER TABLE "contacts" DROP COLUMN "email_failed_reason", DROP COLUMN "email_failed_at", DROP COLUMN "email_unsubscribed_at";
-- reverse: create index "campaign_location_id_status" to table: "campaigns"
DROP INDEX "campaign_location_id_status";
-- reverse: create index "campaign_location_id_created_at" to table: "campaigns"
DROP INDEX "campaign_location_id_created_at";
-- reverse: create index "campaign_location_id" to table: "campaigns"
DROP INDEX "campaign_location_id";
-- reverse: create "campaigns" table
DROP TABLE "campaigns";
