-- Hand-written: the audit trail is append-only. The triggers refuse any
-- UPDATE, DELETE or TRUNCATE of audit_entries, whoever asks.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION "audit_entries_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_entries is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER "audit_entries_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_entries"
  FOR EACH ROW EXECUTE FUNCTION "audit_entries_append_only"();
CREATE TRIGGER "audit_entries_no_truncate" BEFORE TRUNCATE ON "audit_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_entries_append_only"();

-- +goose Down
DROP TRIGGER "audit_entries_no_truncate" ON "audit_entries";
DROP TRIGGER "audit_entries_no_update_delete" ON "audit_entries";
DROP FUNCTION "audit_entries_append_only"();
