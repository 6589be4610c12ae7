package bench

import (
	"cmp"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/db"
)

// countStatements, with AVATARCRM_BENCH_SQL=1, counts the SQL statements
// every connection of the process runs (a transaction's BEGIN included,
// background jobs included) until the returned function is called, which
// reports stmts/op and, with AVATARCRM_BENCH_SQL_TOP=N, prints the N most
// frequent statements per operation to stderr. Without it, it does nothing.
func countStatements(b *testing.B) func() {
	if os.Getenv("AVATARCRM_BENCH_SQL") != "1" {
		return func() {}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	// AVATARCRM_BENCH_SQL_STACK=TEXT prints the Go stack of the first
	// few statements containing TEXT: who runs them.
	stackOf, stacks := os.Getenv("AVATARCRM_BENCH_SQL_STACK"), 0
	db.SetStatementHook(func(q string) {
		mu.Lock()
		seen[q]++
		show := stackOf != "" && strings.Contains(q, stackOf) && stacks < 6
		if show {
			stacks++
		}
		mu.Unlock()
		if show {
			fmt.Fprintf(os.Stderr, "--- %s\n%s\n", q[:min(len(q), 80)], debug.Stack())
		}
	})
	return func() {
		db.SetStatementHook(nil)
		if b.N == 0 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		type row struct {
			q string
			n int
		}
		var rows []row
		total := 0
		for q, n := range seen {
			rows = append(rows, row{q, n})
			total += n
		}
		b.ReportMetric(float64(total)/float64(b.N), "stmts/op")
		var top int
		if _, err := fmt.Sscan(os.Getenv("AVATARCRM_BENCH_SQL_TOP"), &top); err != nil || top <= 0 {
			return
		}
		slices.SortFunc(rows, func(a, c row) int { return cmp.Or(cmp.Compare(c.n, a.n), strings.Compare(a.q, c.q)) })
		fmt.Fprintf(os.Stderr, "%s: %.2f statements per op\n", b.Name(), float64(total)/float64(b.N))
		for i, r := range rows {
			if i == top {
				break
			}
			q := strings.Join(strings.Fields(r.q), " ")
			if len(q) > 160 {
				q = q[:160] + "…"
			}
			fmt.Fprintf(os.Stderr, "  %6.2f  %s\n", float64(r.n)/float64(b.N), q)
		}
	}
}
