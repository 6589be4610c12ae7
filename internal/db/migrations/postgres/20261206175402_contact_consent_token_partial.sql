-- +goose Up
-- drop index "contact_consent_token_hash" from table: "contacts"
DROP INDEX "contact_consent_token_hash";
-- create index "contact_consent_token_hash" to table: "contacts"
CREATE INDEX "contact_consent_token_hash" ON "contacts" ("consent_token_hash") WHERE (consent_token_hash IS NOT NULL);

-- +goose Down
-- reverse: create index "contact_consent_token_hash" to table: "contacts"
DROP INDEX "contact_consent_token_hash";
-- reverse: drop index "contact_consent_token_hash" from table: "contacts"
CREATE INDEX "contact_consent_token_hash" ON "contacts" ("consent_token_hash");
