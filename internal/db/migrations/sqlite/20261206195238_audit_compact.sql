-- +goose Up
-- Hand-edited (i12disk): audit entries stored compact. mac and body_sha256
-- become the bytes their hex spells (the MAC stays computed over the hex, so
-- every entry verifies as before); prev_mac is dropped, being the previous
-- entry's mac; the (user_id, at) index, which no query used, is dropped;
-- (location_id, at) becomes (location_id), which on SQLite is ordered by id
-- as the audit page reads it. SQLite cannot change a column's type: the
-- table is rebuilt (DROP TABLE fires no DELETE trigger) and its append-only
-- triggers are created again. A value that is not lower-case hex was never
-- written by the application: it becomes an empty blob, and that entry then
-- fails verification as the tampered entry it is. audit_entries has no
-- foreign keys either way.
CREATE TABLE `new_audit_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `at` datetime NOT NULL, `user_id` text NOT NULL DEFAULT (''), `email` text NOT NULL DEFAULT (''), `location_id` text NOT NULL DEFAULT (''), `action` text NOT NULL, `resource_type` text NOT NULL DEFAULT (''), `resource_id` text NOT NULL DEFAULT (''), `operation` text NOT NULL DEFAULT (''), `method` text NOT NULL DEFAULT (''), `path` text NOT NULL DEFAULT (''), `ip` text NOT NULL DEFAULT (''), `user_agent` text NOT NULL DEFAULT (''), `status` integer NOT NULL DEFAULT (0), `latency_ms` integer NOT NULL DEFAULT (0), `phi` bool NOT NULL DEFAULT (false), `body_sha256` blob NOT NULL, `detail` text NOT NULL DEFAULT (''), `mac` blob NOT NULL);
INSERT INTO `new_audit_entries` (`id`, `at`, `user_id`, `email`, `location_id`, `action`, `resource_type`, `resource_id`, `operation`, `method`, `path`, `ip`, `user_agent`, `status`, `latency_ms`, `phi`, `body_sha256`, `detail`, `mac`)
  SELECT `id`, `at`, `user_id`, `email`, `location_id`, `action`, `resource_type`, `resource_id`, `operation`, `method`, `path`, `ip`, `user_agent`, `status`, `latency_ms`, `phi`,
    CASE WHEN `body_sha256` = lower(`body_sha256`) THEN coalesce(unhex(`body_sha256`), x'') ELSE x'' END,
    `detail`,
    CASE WHEN `mac` = lower(`mac`) THEN coalesce(unhex(`mac`), x'') ELSE x'' END
  FROM `audit_entries` ORDER BY `id`;
DROP TABLE `audit_entries`;
ALTER TABLE `new_audit_entries` RENAME TO `audit_entries`;
CREATE INDEX `auditentry_location_id` ON `audit_entries` (`location_id`);
CREATE INDEX `auditentry_resource_type_resource_id` ON `audit_entries` (`resource_type`, `resource_id`);
-- +goose StatementBegin
CREATE TRIGGER `audit_entries_no_update` BEFORE UPDATE ON `audit_entries`
BEGIN
  SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER `audit_entries_no_delete` BEFORE DELETE ON `audit_entries`
BEGIN
  SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
-- +goose StatementEnd

-- +goose Down
-- The old layout again: hex text, prev_mac from the entry before; every
-- entry verifies as the old release checks it (migrate_down_test.go).
CREATE TABLE `old_audit_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `at` datetime NOT NULL, `user_id` text NOT NULL DEFAULT (''), `email` text NOT NULL DEFAULT (''), `location_id` text NOT NULL DEFAULT (''), `action` text NOT NULL, `resource_type` text NOT NULL DEFAULT (''), `resource_id` text NOT NULL DEFAULT (''), `operation` text NOT NULL DEFAULT (''), `method` text NOT NULL DEFAULT (''), `path` text NOT NULL DEFAULT (''), `ip` text NOT NULL DEFAULT (''), `user_agent` text NOT NULL DEFAULT (''), `status` integer NOT NULL DEFAULT (0), `latency_ms` integer NOT NULL DEFAULT (0), `phi` bool NOT NULL DEFAULT (false), `body_sha256` text NOT NULL DEFAULT (''), `detail` text NOT NULL DEFAULT (''), `prev_mac` text NOT NULL, `mac` text NOT NULL);
INSERT INTO `old_audit_entries` (`id`, `at`, `user_id`, `email`, `location_id`, `action`, `resource_type`, `resource_id`, `operation`, `method`, `path`, `ip`, `user_agent`, `status`, `latency_ms`, `phi`, `body_sha256`, `detail`, `prev_mac`, `mac`)
  SELECT `id`, `at`, `user_id`, `email`, `location_id`, `action`, `resource_type`, `resource_id`, `operation`, `method`, `path`, `ip`, `user_agent`, `status`, `latency_ms`, `phi`, lower(hex(`body_sha256`)), `detail`,
    coalesce(lower(hex(lag(`mac`) OVER (ORDER BY `id`))), ''), lower(hex(`mac`))
  FROM `audit_entries` ORDER BY `id`;
DROP TABLE `audit_entries`;
ALTER TABLE `old_audit_entries` RENAME TO `audit_entries`;
CREATE INDEX `auditentry_location_id_at` ON `audit_entries` (`location_id`, `at`);
CREATE INDEX `auditentry_user_id_at` ON `audit_entries` (`user_id`, `at`);
CREATE INDEX `auditentry_resource_type_resource_id` ON `audit_entries` (`resource_type`, `resource_id`);
-- +goose StatementBegin
CREATE TRIGGER `audit_entries_no_update` BEFORE UPDATE ON `audit_entries`
BEGIN
  SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER `audit_entries_no_delete` BEFORE DELETE ON `audit_entries`
BEGIN
  SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
-- +goose StatementEnd
