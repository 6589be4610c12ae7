package audit_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/audit"
)

// BenchmarkRecord is the per-entry cost of the batched path, from Record to
// committed (Close drains the queue inside the timed region).
func BenchmarkRecord(b *testing.B) {
	for _, withHead := range []bool{false, true} {
		name := "no-head-file"
		if withHead {
			// As the server runs: the head file is rewritten (and synced)
			// after each flush.
			name = "head-file"
		}
		b.Run(name, func(b *testing.B) {
			d := openSQLite(b)
			opts := audit.Options{Logger: quiet}
			if withHead {
				f, err := audit.OpenHeadFile(filepath.Join(b.TempDir(), "audit.head"))
				if err != nil {
					b.Fatal(err)
				}
				opts.HeadFile = f
			}
			l := audit.New(d.Client, d.Dialect, testKey, opts)
			l.Start()
			e := entry(1)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				l.Record(e)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			if err := l.Close(ctx); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkAppendInTx is what an audit entry adds to a mutation's
// transaction on SQLite: "append" times Append alone inside an open
// transaction (head read, MAC, insert); "tx" times a whole
// begin–append–commit, the upper bound.
func BenchmarkAppendInTx(b *testing.B) {
	ctx := context.Background()
	b.Run("append", func(b *testing.B) {
		d := openSQLite(b)
		l := audit.New(d.Client, d.Dialect, testKey, audit.Options{})
		e := entry(1)
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			tx, err := d.Client.Tx(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := l.Append(ctx, tx, e); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
	b.Run("tx", func(b *testing.B) {
		d := openSQLite(b)
		l := audit.New(d.Client, d.Dialect, testKey, audit.Options{})
		e := entry(1)
		b.ReportAllocs()
		for b.Loop() {
			if err := l.AppendNow(ctx, e); err != nil {
				b.Fatal(err)
			}
		}
	})
}
