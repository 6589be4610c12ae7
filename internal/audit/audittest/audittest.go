// Package audittest holds what the tests of the audit trail share across
// packages (internal/audit's own, the audit migrations' in internal/db):
// raw SQL run as someone with access to the database would run it, past
// the application, on SQLite and PostgreSQL alike.
package audittest

import (
	"fmt"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/avatarimaging/avatarcrm/internal/db"
)

// Exec runs raw SQL with ? placeholders on d, failing tb on an error.
func Exec(tb testing.TB, d *db.DB, query string, args ...any) {
	tb.Helper()
	if _, err := d.SQL.Exec(Rebind(d, query), args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

// Rebind turns ? placeholders into $1, $2… for PostgreSQL.
func Rebind(d *db.DB, q string) string {
	if d.Dialect != dialect.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
