-- +goose Up
-- drop index "searchkey_location_id_kind_key" from table: "search_keys"
DROP INDEX `searchkey_location_id_kind_key`;
-- create index "searchkey_lookup" to table: "search_keys"
CREATE INDEX `searchkey_lookup` ON `search_keys` (`location_id`, `kind`, `key`, `part`, `contact_id`, `word`);

-- +goose Down
-- reverse: create index "searchkey_lookup" to table: "search_keys"
DROP INDEX `searchkey_lookup`;
-- reverse: drop index "searchkey_location_id_kind_key" from table: "search_keys"
CREATE INDEX `searchkey_location_id_kind_key` ON `search_keys` (`location_id`, `kind`, `key`);
