package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// demoWithHook opens the demo database with the audit hook and the PHI
// interceptor installed.
func demoWithHook(t *testing.T) (*db.DB, *audit.Log) {
	t.Helper()
	d := testutil.DemoDB(t)
	l := newLog(t, d, audit.Options{})
	d.Client.Use(l.Hook())
	d.Client.Intercept(audit.PHIInterceptor())
	return d, l
}

func auditEntries(t *testing.T, d *db.DB) []*ent.AuditEntry {
	t.Helper()
	// The demo data's own "seed" entry aside.
	es, err := d.Client.AuditEntry.Query().Where(auditentry.ActionNEQ(audit.ActionSeed)).Order(auditentry.ByID()).All(viewer.Seed.Grant(context.Background(), "test"))
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestHook_Transaction: a change and its entry commit or roll back together.
func TestHook_Transaction(t *testing.T) {
	d, l := demoWithHook(t)
	ctx := testutil.As(t, d.Client, "staff@example.com")
	meta := &audit.Meta{}
	ctx = audit.WithMeta(ctx, meta)
	v := viewer.FromContext(ctx)

	// Rolled back: no entry.
	tx, err := d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Contact.Create().SetFirstName("Rolled").SetLastName("Back").Save(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if es := auditEntries(t, d); len(es) != 0 {
		t.Fatalf("%d entries after a rolled-back create, want 0", len(es))
	}

	// Committed: exactly one create entry. The context carries the
	// transaction as graph.Transactional's does.
	tx, err = d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tctx := ent.NewTxContext(ctx, tx)
	c, err := tx.Contact.Create().SetFirstName("Audit").SetLastName("Trail").Save(tctx)
	if err != nil {
		t.Fatal(err)
	}
	if es := auditEntries(t, d); len(es) != 0 {
		t.Fatalf("entry visible before commit")
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	es := auditEntries(t, d)
	if len(es) != 1 {
		t.Fatalf("%d entries after a committed create, want 1", len(es))
	}
	e := es[0]
	if e.Action != audit.ActionCreate || e.ResourceType != "Contact" || e.ResourceID != string(c.ID) || !e.Phi ||
		e.UserID != string(v.UserID) || e.Email != "staff@example.com" || e.LocationID != string(v.LocationID) {
		t.Fatalf("entry = %+v, want create of Contact %s by staff, PHI", e, c.ID)
	}
	if mv := meta.Values(); !mv.PHI || mv.Written != 1 {
		t.Fatalf("meta = %+v, want PHI and 1 written", mv)
	}
	assertVerifies(t, l, 1+1) // and the demo data's seed entry
}

// TestHook_WithoutTransaction covers create, update, delete and bulk
// changes made straight on the client.
func TestHook_WithoutTransaction(t *testing.T) {
	d, l := demoWithHook(t)
	ctx := testutil.As(t, d.Client, "manager@example.com")

	c, err := d.Client.Contact.Create().SetFirstName("Hook").SetLastName("Test").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Client.Contact.UpdateOne(c).SetNotes("called back").Save(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := d.Client.Contact.Update().Where(contact.LastName("Test"), contact.FirstName("Hook")).SetWarmness(40).Save(ctx)
	if err != nil || n != 1 {
		t.Fatalf("bulk update = %d, %v", n, err)
	}
	if err := d.Client.Contact.DeleteOne(c).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// Bulk work by the system with auditing off leaves no entries.
	if _, err := d.Client.Contact.Create().SetFirstName("Seeded").
		SetLocationID(c.LocationID).Save(audit.WithoutAudit(viewer.Seed.Grant(context.Background(), "test"))); err != nil {
		t.Fatal(err)
	}

	es := auditEntries(t, d)
	var got []string
	for _, e := range es {
		got = append(got, e.Action+" "+e.ResourceType+" "+e.ResourceID+" "+e.Detail)
		if e.ResourceID != string(c.ID) || !e.Phi || e.Email != "manager@example.com" {
			t.Errorf("entry %+v: want contact %s, PHI, by the manager", e, c.ID)
		}
	}
	want := []string{
		"create Contact " + string(c.ID) + " ",
		"update Contact " + string(c.ID) + " fields: notes,updated_at",
		"update Contact " + string(c.ID) + " fields: updated_at,warmness",
		"delete Contact " + string(c.ID) + " ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	assertVerifies(t, l, len(es)+1) // and the demo data's seed entry
}

// TestHook_DeniedMutation: a mutation the privacy rules refuse writes no
// change entry but marks the request denied.
func TestHook_DeniedMutation(t *testing.T) {
	d, _ := demoWithHook(t)
	ctx := testutil.As(t, d.Client, "viewer@example.com")
	meta := &audit.Meta{}
	ctx = audit.WithMeta(ctx, meta)
	if _, err := d.Client.Contact.Create().SetFirstName("Nope").Save(ctx); err == nil {
		t.Fatal("a viewer created a contact")
	}
	if es := auditEntries(t, d); len(es) != 0 {
		t.Fatalf("%d entries for a refused mutation", len(es))
	}
	if mv := meta.Values(); !strings.Contains(mv.Denied, "Contact create") {
		t.Fatalf("meta denied = %q, want the refused create named", mv.Denied)
	}
}

// TestPHIInterceptor: reading contacts, touchpoints or bookings, directly
// or through a traversal, marks the request as touching PHI; other reads
// do not.
func TestPHIInterceptor(t *testing.T) {
	d, _ := demoWithHook(t)
	base := testutil.As(t, d.Client, "staff@example.com")

	m := &audit.Meta{}
	if _, err := d.Client.Location.Query().All(audit.WithMeta(base, m)); err != nil {
		t.Fatal(err)
	}
	if m.Values().PHI {
		t.Fatal("a location query marked PHI")
	}
	m = &audit.Meta{}
	if _, err := d.Client.Contact.Query().Limit(1).All(audit.WithMeta(base, m)); err != nil {
		t.Fatal(err)
	}
	if !m.Values().PHI {
		t.Fatal("a contact query did not mark PHI")
	}
	m = &audit.Meta{}
	if _, err := d.Client.Task.Query().WithContact().Limit(5).All(audit.WithMeta(base, m)); err != nil {
		t.Fatal(err)
	}
	if !m.Values().PHI {
		t.Fatal("eager-loading tasks' contacts did not mark PHI")
	}
	m = &audit.Meta{}
	if _, err := d.Client.Task.Query().QueryContact().Limit(1).IDs(audit.WithMeta(base, m)); err != nil {
		t.Fatal(err)
	}
	if !m.Values().PHI {
		t.Fatal("a traversal from tasks to contacts did not mark PHI")
	}
}

// TestHook_Postgres runs the transactional path on PostgreSQL, where the
// entry is written at commit under the advisory lock, with concurrent
// transactions.
func TestHook_Postgres(t *testing.T) {
	d := openPostgres(t)
	l := newLog(t, d, audit.Options{})
	d.Client.Use(l.Hook())
	ctx := viewer.Seed.Grant(context.Background(), "test")

	tx, err := d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Location.Create().SetName("Rolled back").SetCode("RB").Save(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	const n = 10
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- func() error {
				tx, err := d.Client.Tx(ctx)
				if err != nil {
					return err
				}
				for j := range 2 {
					if _, err := tx.Location.Create().SetName("Clinic").SetCode(fmt.Sprintf("C%d%d", i, j)).Save(ctx); err != nil {
						_ = tx.Rollback()
						return err
					}
				}
				return tx.Commit()
			}()
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	es := auditEntries(t, d)
	if len(es) != 2*n {
		t.Fatalf("%d entries, want %d", len(es), 2*n)
	}
	for _, e := range es {
		if e.Action != audit.ActionCreate || e.ResourceType != "Location" || !strings.HasPrefix(e.ResourceID, "loc_") ||
			e.UserID != audit.SystemUserID || e.Phi {
			t.Fatalf("entry %+v: want a system create of a location, not PHI", e)
		}
	}
	assertContiguous(t, d, 2*n)
	assertVerifies(t, l, 2*n)
}

// TestHook_OneAppendPerTransaction: the entries of every mutation of one
// transaction are written by one append at its commit (one read of the
// chain's head), although each mutation's Tx() is a new *ent.Tx; and the
// head the log then knows is the chain's, so the next append reads no
// entry to check continuity.
func TestHook_OneAppendPerTransaction(t *testing.T) {
	d, l := demoWithHook(t)
	ctx := testutil.As(t, d.Client, "staff@example.com")
	var mu sync.Mutex
	var heads, checks, inserts int
	db.SetStatementHook(func(q string) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case strings.Contains(q, "FROM `audit_entries` ORDER BY"):
			heads++
		case strings.Contains(q, "FROM `audit_entries` WHERE `audit_entries`.`id` = "):
			checks++
		case strings.HasPrefix(q, "INSERT INTO `audit_entries`"):
			inserts++
		}
	})
	t.Cleanup(func() { db.SetStatementHook(nil) })
	create := func(names ...string) {
		t.Helper()
		tx, err := d.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tctx := ent.NewTxContext(ctx, tx)
		for _, n := range names {
			if _, err := tx.Contact.Create().SetFirstName(n).SetLastName("Once").Save(tctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	create("One", "Two", "Three")
	mu.Lock()
	if heads != 1 || inserts != 1 {
		t.Errorf("three creates in one transaction: %d head reads and %d inserts, want 1 and 1", heads, inserts)
	}
	heads, checks, inserts = 0, 0, 0
	mu.Unlock()
	create("Four")
	mu.Lock()
	if heads != 1 || inserts != 1 || checks != 0 {
		t.Errorf("the next transaction: %d head reads, %d inserts, %d continuity reads, want 1, 1, 0", heads, inserts, checks)
	}
	mu.Unlock()
	if es := auditEntries(t, d); len(es) != 4 {
		t.Fatalf("%d entries, want 4", len(es))
	}
	assertVerifies(t, l, 4+1)
}
