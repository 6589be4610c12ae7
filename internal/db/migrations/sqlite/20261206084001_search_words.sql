-- +goose Up
-- create "search_words" table
CREATE TABLE `search_words` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `location_id` text NOT NULL, `key` text NOT NULL, `word` text NOT NULL);
-- create index "searchword_lookup" to table: "search_words"
CREATE UNIQUE INDEX `searchword_lookup` ON `search_words` (`location_id`, `key`, `word`);

-- The one-letter deletions of name words move from search_keys (a dozen rows
-- a contact) to search_words (one set per distinct word of a location). The
-- app builds the dictionary at start from the words left in search_keys
-- (search.EnsureIndexed). On SQLite the freed pages are reused, not returned
-- to the file system: VACUUM to shrink the file.
DELETE FROM search_keys WHERE kind = 1;

-- +goose Down
-- Old binaries need the deletion rows back: run their Reindex after going down.
-- reverse: create index "searchword_lookup" to table: "search_words"
DROP INDEX `searchword_lookup`;
-- reverse: create "search_words" table
DROP TABLE `search_words`;
