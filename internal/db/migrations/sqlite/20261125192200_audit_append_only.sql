-- Hand-written: the audit trail is append-only. The triggers refuse any
-- UPDATE or DELETE of audit_entries, whoever asks.

-- +goose Up
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
DROP TRIGGER `audit_entries_no_delete`;
DROP TRIGGER `audit_entries_no_update`;
