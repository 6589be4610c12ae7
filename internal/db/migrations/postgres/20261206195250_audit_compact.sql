-- +goose Up
-- Hand-edited (i12disk): audit entries stored compact, as on SQLite (see
-- that migration): mac and body_sha256 become the bytes their hex spells
-- (the MAC stays computed over the hex), prev_mac is dropped (the previous
-- entry's mac), the unused (user_id, at) index is dropped and
-- (location_id, at) becomes (location_id).
-- Changing a column's type rewrites the table but fires no row trigger, so
-- the append-only triggers stay. A value that is not lower-case hex was
-- never written by the application: it becomes empty, and that entry then
-- fails verification as the tampered entry it is.
DROP INDEX "auditentry_location_id_at";
DROP INDEX "auditentry_user_id_at";
ALTER TABLE "audit_entries"
  ALTER COLUMN "body_sha256" DROP DEFAULT,
  ALTER COLUMN "body_sha256" TYPE bytea USING (CASE WHEN "body_sha256" ~ '^([0-9a-f]{2})*$' THEN decode("body_sha256", 'hex') ELSE ''::bytea END),
  ALTER COLUMN "mac" TYPE bytea USING (CASE WHEN "mac" ~ '^([0-9a-f]{2})*$' THEN decode("mac", 'hex') ELSE ''::bytea END),
  DROP COLUMN "prev_mac";
CREATE INDEX "auditentry_location_id" ON "audit_entries" ("location_id");

-- +goose Down
-- The old layout again: hex text, prev_mac from the entry before (filled
-- with the append-only trigger off for the moment).
DROP INDEX "auditentry_location_id";
ALTER TABLE "audit_entries"
  ALTER COLUMN "mac" TYPE character varying USING encode("mac", 'hex'),
  ALTER COLUMN "body_sha256" TYPE character varying USING encode("body_sha256", 'hex'),
  ALTER COLUMN "body_sha256" SET DEFAULT '',
  ADD COLUMN "prev_mac" character varying NOT NULL DEFAULT '';
ALTER TABLE "audit_entries" DISABLE TRIGGER "audit_entries_no_update_delete";
UPDATE "audit_entries" a SET "prev_mac" = p."mac" FROM "audit_entries" p WHERE p."id" = a."id" - 1;
ALTER TABLE "audit_entries" ENABLE TRIGGER "audit_entries_no_update_delete";
ALTER TABLE "audit_entries" ALTER COLUMN "prev_mac" DROP DEFAULT;
CREATE INDEX "auditentry_user_id_at" ON "audit_entries" ("user_id", "at");
CREATE INDEX "auditentry_location_id_at" ON "audit_entries" ("location_id", "at");
