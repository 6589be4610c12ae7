package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"entgo.io/ent/dialect"
)

// The append-only triggers, as the migration 20261125192200_audit_append_only
// creates them (internal/db/migrations). Someone with enough rights on the
// database can drop them (or, on PostgreSQL, disable them or replace the
// function's body) before deleting entries; EnsureTriggers puts them back.
var (
	sqliteTriggers = []struct{ name, create string }{
		{"audit_entries_no_update", "CREATE TRIGGER `audit_entries_no_update` BEFORE UPDATE ON `audit_entries`\nBEGIN\n  SELECT RAISE(ABORT, 'audit_entries is append-only');\nEND"},
		{"audit_entries_no_delete", "CREATE TRIGGER `audit_entries_no_delete` BEFORE DELETE ON `audit_entries`\nBEGIN\n  SELECT RAISE(ABORT, 'audit_entries is append-only');\nEND"},
	}
	pgFunction = `CREATE OR REPLACE FUNCTION "audit_entries_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_entries is append-only';
END;
$$`
	pgTriggers = []struct{ name, create string }{
		{"audit_entries_no_update_delete", `CREATE TRIGGER "audit_entries_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_entries" FOR EACH ROW EXECUTE FUNCTION "audit_entries_append_only"()`},
		{"audit_entries_no_truncate", `CREATE TRIGGER "audit_entries_no_truncate" BEFORE TRUNCATE ON "audit_entries" FOR EACH STATEMENT EXECUTE FUNCTION "audit_entries_append_only"()`},
	}
)

// EnsureTriggers checks that the database still refuses UPDATE, DELETE (and
// on PostgreSQL TRUNCATE) of audit_entries, and repairs what is missing:
// a dropped trigger is created again, a disabled one enabled, a trigger or
// function whose body no longer refuses is replaced. Each repair is logged
// as an error and reported by Status until the next start, because only
// someone tampering with the database removes them. It returns what it
// repaired.
func (l *Log) EnsureTriggers(ctx context.Context, db *sql.DB) ([]string, error) {
	var fixed []string
	var err error
	if l.dialect == dialect.Postgres {
		fixed, err = ensurePostgresTriggers(ctx, db)
	} else {
		fixed, err = ensureSQLiteTriggers(ctx, db)
	}
	if err != nil {
		l.integ.mu.Lock()
		l.integ.triggers = "the audit trail's append-only triggers could not be checked or repaired: " + err.Error()
		l.integ.mu.Unlock()
		return fixed, err
	}
	if len(fixed) > 0 {
		l.integ.mu.Lock()
		l.integ.triggers = "the audit trail's append-only protection had been removed (repaired at start: " + strings.Join(fixed, "; ") +
			"); someone with database access may have changed the trail: run `avatarcrm audit verify`"
		l.integ.mu.Unlock()
		for _, f := range fixed {
			l.log.Error("audit: the append-only protection of audit_entries was missing and has been repaired; someone with database access removed it", "repaired", f)
		}
	}
	return fixed, nil
}

func ensureSQLiteTriggers(ctx context.Context, db *sql.DB) ([]string, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries'`)
	if err != nil {
		return nil, fmt.Errorf("list triggers: %w", err)
	}
	have := map[string]string{}
	for rows.Next() {
		var name string
		var body sql.NullString
		if err := rows.Scan(&name, &body); err != nil {
			rows.Close()
			return nil, err
		}
		have[name] = body.String
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var fixed []string
	for _, t := range sqliteTriggers {
		body, ok := have[t.name]
		if ok && strings.Contains(body, "RAISE(ABORT") {
			continue
		}
		what := "trigger " + t.name + " created again"
		if ok {
			// Same name, but it no longer refuses.
			if _, err := conn.ExecContext(ctx, "DROP TRIGGER `"+t.name+"`"); err != nil {
				return fixed, fmt.Errorf("drop trigger %s: %w", t.name, err)
			}
			what = "trigger " + t.name + " no longer refused changes; replaced"
		}
		if _, err := conn.ExecContext(ctx, t.create); err != nil {
			return fixed, fmt.Errorf("create trigger %s: %w", t.name, err)
		}
		fixed = append(fixed, what)
	}
	return fixed, nil
}

// ensurePostgresTriggers checks and repairs in one transaction holding the
// chain's advisory lock, so instances starting together do not both create
// the same trigger.
func ensurePostgresTriggers(ctx context.Context, db *sql.DB) (fixed []string, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
			fixed = nil
		}
	}()
	if _, err = tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock("+strconv.FormatInt(LockKey, 10)+")"); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	var src sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT p.prosrc FROM pg_proc p WHERE p.proname = 'audit_entries_append_only' AND p.pronamespace = to_regnamespace(current_schema())`).Scan(&src)
	switch {
	case err == sql.ErrNoRows:
		fixed = append(fixed, "function audit_entries_append_only created again")
	case err != nil:
		return nil, fmt.Errorf("read function: %w", err)
	case !strings.Contains(src.String, "RAISE EXCEPTION"):
		fixed = append(fixed, "function audit_entries_append_only no longer refused changes; replaced")
	}
	if len(fixed) > 0 {
		if _, err = tx.ExecContext(ctx, pgFunction); err != nil {
			return nil, fmt.Errorf("create function: %w", err)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = to_regclass('audit_entries') AND NOT tgisinternal`)
	if err != nil {
		return nil, fmt.Errorf("list triggers: %w", err)
	}
	enabled := map[string]bool{}
	for rows.Next() {
		var name, state string
		if err = rows.Scan(&name, &state); err != nil {
			rows.Close()
			return nil, err
		}
		// O fires normally, A always; D is disabled, and R fires only
		// with session_replication_role = replica, so not normally.
		enabled[name] = state == "O" || state == "A"
	}
	rows.Close()
	if err = rows.Err(); err != nil {
		return nil, err
	}
	for _, t := range pgTriggers {
		on, ok := enabled[t.name]
		switch {
		case !ok:
			if _, err = tx.ExecContext(ctx, t.create); err != nil {
				return nil, fmt.Errorf("create trigger %s: %w", t.name, err)
			}
			fixed = append(fixed, "trigger "+t.name+" created again")
		case !on:
			if _, err = tx.ExecContext(ctx, `ALTER TABLE "audit_entries" ENABLE TRIGGER "`+t.name+`"`); err != nil {
				return nil, fmt.Errorf("enable trigger %s: %w", t.name, err)
			}
			fixed = append(fixed, "trigger "+t.name+" was disabled; enabled again")
		}
	}
	if err = tx.Commit(); err != nil {
		return nil, err
	}
	return fixed, nil
}
