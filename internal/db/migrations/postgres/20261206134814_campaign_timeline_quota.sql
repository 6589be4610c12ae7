-- +goose Up
-- modify "campaign_recipients" table
ALTER TABLE "campaign_recipients" ADD COLUMN "account" character varying NULL;
-- create index "campaignrecipient_account_sent_at" to table: "campaign_recipients"
CREATE INDEX "campaignrecipient_account_sent_at" ON "campaign_recipients" ("account", "sent_at");

-- +goose Down
-- reverse: create index "campaignrecipient_account_sent_at" to table: "campaign_recipients"
DROP INDEX "campaignrecipient_account_sent_at";
-- reverse: modify "campaign_recipients" table
ALTER TABLE "campaign_recipients" DROP COLUMN "account";
