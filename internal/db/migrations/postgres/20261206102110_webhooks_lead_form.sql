-- +goose Up
-- modify "contacts" table
ALTER TABLE "contacts" ADD COLUMN "utm_source" character varying NULL, ADD COLUMN "utm_medium" character varying NULL, ADD COLUMN "utm_campaign" character varying NULL, ADD COLUMN "utm_term" character varying NULL, ADD COLUMN "utm_content" character varying NULL, ADD COLUMN "consent_token_hash" character varying NULL;
-- create index "contact_consent_token_hash" to table: "contacts"
CREATE INDEX "contact_consent_token_hash" ON "contacts" ("consent_token_hash");
-- modify "locations" table
ALTER TABLE "locations" ADD COLUMN "lead_form_key" character varying NULL, ADD COLUMN "lead_form_origins" jsonb NULL, ADD COLUMN "lead_form_double_opt_in" boolean NOT NULL DEFAULT false;
-- create index "location_lead_form_key" to table: "locations"
CREATE UNIQUE INDEX "location_lead_form_key" ON "locations" ("lead_form_key");
-- create "webhook_subscriptions" table
CREATE TABLE "webhook_subscriptions" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "url" character varying NOT NULL, "description" character varying NOT NULL DEFAULT '', "event_types" jsonb NOT NULL, "secret" character varying NOT NULL, "previous_secret" character varying NULL, "previous_secret_expires_at" timestamptz NULL, "enabled" boolean NOT NULL DEFAULT true, "include_pii" boolean NOT NULL DEFAULT false, "failure_count" bigint NOT NULL DEFAULT 0, "failing_since" timestamptz NULL, "disabled_reason" character varying NOT NULL DEFAULT '', "disabled_at" timestamptz NULL, "last_success_at" timestamptz NULL, "location_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "webhook_subscriptions_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- create index "webhooksubscription_location_id" to table: "webhook_subscriptions"
CREATE INDEX "webhooksubscription_location_id" ON "webhook_subscriptions" ("location_id");
-- create index "webhooksubscription_location_id_enabled" to table: "webhook_subscriptions"
CREATE INDEX "webhooksubscription_location_id_enabled" ON "webhook_subscriptions" ("location_id", "enabled");
-- create "webhook_deliveries" table
CREATE TABLE "webhook_deliveries" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "event_type" character varying NOT NULL, "source_event_id" character varying NOT NULL, "payload" text NOT NULL, "status" character varying NOT NULL DEFAULT 'pending', "attempts" bigint NOT NULL DEFAULT 0, "response_code" bigint NULL, "duration_ms" bigint NOT NULL DEFAULT 0, "error" character varying NOT NULL DEFAULT '', "last_attempt_at" timestamptz NULL, "next_attempt_at" timestamptz NULL, "delivered_at" timestamptz NULL, "location_id" character varying NOT NULL, "subscription_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "webhook_deliveries_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "webhook_deliveries_webhook_subscriptions_subscription" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- create index "webhookdelivery_location_id" to table: "webhook_deliveries"
CREATE INDEX "webhookdelivery_location_id" ON "webhook_deliveries" ("location_id");
-- create index "webhookdelivery_location_id_created_at" to table: "webhook_deliveries"
CREATE INDEX "webhookdelivery_location_id_created_at" ON "webhook_deliveries" ("location_id", "created_at");
-- create index "webhookdelivery_subscription_id_created_at" to table: "webhook_deliveries"
CREATE INDEX "webhookdelivery_subscription_id_created_at" ON "webhook_deliveries" ("subscription_id", "created_at");
-- create index "webhookdelivery_subscription_id_source_event_id" to table: "webhook_deliveries"
CREATE UNIQUE INDEX "webhookdelivery_subscription_id_source_event_id" ON "webhook_deliveries" ("subscription_id", "source_event_id");

-- +goose Down
-- reverse: create index "webhookdelivery_subscription_id_source_event_id" to table: "webhook_deliveries"
DROP INDEX "webhookdelivery_subscription_id_source_event_id";
-- reverse: create index "webhookdelivery_subscription_id_created_at" to table: "webhook_deliveries"
DROP INDEX "webhookdelivery_subscription_id_created_at";
-- reverse: create index "webhookdelivery_location_id_created_at" to table: "webhook_deliveries"
DROP INDEX "webhookdelivery_location_id_created_at";
-- reverse: create index "webhookdelivery_location_id" to table: "webhook_deliveries"
DROP INDEX "webhookdelivery_location_id";
-- reverse: create "webhook_deliveries" table
DROP TABLE "webhook_deliveries";
-- reverse: create index "webhooksubscription_location_id_enabled" to table: "webhook_subscriptions"
DROP INDEX "webhooksubscription_location_id_enabled";
-- reverse: create index "webhooksubscription_location_id" to table: "webhook_subscriptions"
DROP INDEX "webhooksubscription_location_id";
-- reverse: create "webhook_subscriptions" table
DROP TABLE "webhook_subscriptions";
-- reverse: create index "location_lead_form_key" to table: "locations"
DROP INDEX "location_lead_form_key";
-- reverse: modify "locations" table
ALTER TABLE "locations" DROP COLUMN "lead_form_double_opt_in", DROP COLUMN "lead_form_origins", DROP COLUMN "lead_form_key";
-- reverse: create index "contact_consent_token_hash" to table: "contacts"
DROP INDEX "contact_consent_token_hash";
-- reverse: modify "contacts" table
ALTER TABLE "contacts" DROP COLUMN "consent_token_hash", DROP COLUMN "utm_content", DROP COLUMN "utm_term", DROP COLUMN "utm_campaign", DROP COLUMN "utm_medium", DROP COLUMN "utm_source";
