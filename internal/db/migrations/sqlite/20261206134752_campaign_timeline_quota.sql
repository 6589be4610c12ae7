-- +goose Up
-- add column "account" to table: "campaign_recipients" (written by hand:
-- Atlas rebuilt the table, and a rebuild inside goose's transaction would
-- cascade to campaign_events)
ALTER TABLE `campaign_recipients` ADD COLUMN `account` text NULL;
-- create index "campaignrecipient_account_sent_at" to table: "campaign_recipients"
CREATE INDEX `campaignrecipient_account_sent_at` ON `campaign_recipients` (`account`, `sent_at`);

-- +goose Down
-- reverse: create index "campaignrecipient_account_sent_at" to table: "campaign_recipients"
DROP INDEX `campaignrecipient_account_sent_at`;
-- reverse: add column "account" to table: "campaign_recipients"
ALTER TABLE `campaign_recipients` DROP COLUMN `account`;
