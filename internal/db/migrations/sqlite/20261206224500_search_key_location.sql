-- +goose Up
-- Hand-written (i12disk2): a search key stores its location as pulid.Fold of
-- the location ID (an integer, 8 bytes) instead of the 30-byte text, in the
-- row and again in the lookup index. SQL cannot compute the fold, so the
-- keys are not converted: the table is made again, empty, and the
-- application rebuilds every location's keys and typo dictionary at start
-- (search.Index.EnsureIndexed, as for a database from before the index), in
-- key order, so the index pages are written full. Nothing references
-- search_keys; dropping it fires no trigger.
DROP TABLE `search_keys`;
CREATE TABLE `search_keys` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `location` integer NOT NULL, `key` text NOT NULL, `kind` integer NOT NULL DEFAULT (0), `part` integer NOT NULL DEFAULT (0), `word` text NOT NULL DEFAULT (''), `contact_id` text NOT NULL, CONSTRAINT `search_keys_contacts_contact` FOREIGN KEY (`contact_id`) REFERENCES `contacts` (`id`) ON DELETE CASCADE);
CREATE INDEX `searchkey_lookup` ON `search_keys` (`location`, `kind`, `key`, `part`, `contact_id`, `word`);
CREATE INDEX `searchkey_contact_id` ON `search_keys` (`contact_id`);
-- Indexes on location_id alone where other indexes start with it (a
-- prefix of theirs), and warmness_snapshots (location_id, day), which no
-- query reads (the report reads (location_id, contact_id, day, band)).
DROP INDEX `contact_location_id`;
DROP INDEX `warmnesssnapshot_location_id`;
DROP INDEX `warmnesssnapshot_location_id_day`;

-- +goose Down
CREATE INDEX `warmnesssnapshot_location_id_day` ON `warmness_snapshots` (`location_id`, `day`);
CREATE INDEX `warmnesssnapshot_location_id` ON `warmness_snapshots` (`location_id`);
CREATE INDEX `contact_location_id` ON `contacts` (`location_id`);
-- The old layout, empty: the keys are not converted back (SQL cannot
-- unfold the location), and the old release rebuilds them at start.
DROP TABLE `search_keys`;
CREATE TABLE `search_keys` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `location_id` text NOT NULL, `key` text NOT NULL, `kind` integer NOT NULL DEFAULT (0), `part` integer NOT NULL DEFAULT (0), `word` text NOT NULL DEFAULT (''), `contact_id` text NOT NULL, CONSTRAINT `search_keys_contacts_contact` FOREIGN KEY (`contact_id`) REFERENCES `contacts` (`id`) ON DELETE CASCADE);
CREATE INDEX `searchkey_lookup` ON `search_keys` (`location_id`, `kind`, `key`, `part`, `contact_id`, `word`);
CREATE INDEX `searchkey_contact_id` ON `search_keys` (`contact_id`);
