package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/db"
)

// TestFillForSize is not a test: with AVATARCRM_AUDIT_FILL_DB=<file.db> it
// writes AVATARCRM_AUDIT_FILL_N (default 200,000) entries shaped like the
// load plan's (bench/load.sh: GraphQL requests from Go's HTTP client, a
// create entry per created contact) into that SQLite file, always the same
// ones, so bench/dbsize.py can compare what an entry costs on disk before
// and after a storage change (docs/PERFORMANCE.md, i12disk).
func TestFillForSize(t *testing.T) {
	path := os.Getenv("AVATARCRM_AUDIT_FILL_DB")
	if path == "" {
		t.Skip("set AVATARCRM_AUDIT_FILL_DB to fill a database")
	}
	n := 200_000
	if s := os.Getenv("AVATARCRM_AUDIT_FILL_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	d, err := db.Open(ctx, db.Config{URL: "sqlite:" + path})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	l := audit.New(d.Client, d.Dialect, testKey, audit.Options{Logger: quiet})
	for _, batch := range fillEntries(n, 1000) {
		if err := l.AppendNow(ctx, batch...); err != nil {
			t.Fatal(err)
		}
	}
}

// fillEntries returns n entries in batches of size, the same every run.
func fillEntries(n, size int) [][]audit.Entry {
	r := rand.New(rand.NewPCG(12, 5))
	ulid := func(prefix string) string {
		const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
		b := []byte(prefix + "_01JE")
		for len(b) < len(prefix)+1+26 {
			b = append(b, crockford[r.IntN(32)])
		}
		return string(b)
	}
	loc := ulid("loc")
	users := make([]string, 8)
	for i := range users {
		users[i] = ulid("usr")
	}
	contacts := make([]string, 2000)
	for i := range contacts {
		contacts[i] = ulid("con")
	}
	ops := []string{"Contacts", "ContactsCount", "Contact", "SearchContacts", "CreateContact"}
	base := time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC)
	var out [][]audit.Entry
	var batch []audit.Entry
	for i := range n {
		u := r.IntN(len(users))
		e := audit.Entry{
			At: base.Add(time.Duration(i) * 3 * time.Millisecond), UserID: users[u],
			Email: fmt.Sprintf("staff%d@avatarimaging.com.au", u), LocationID: loc,
			Action: audit.ActionRequest, IP: "127.0.0.1", UserAgent: "Go-http-client/1.1",
			Status: 200, LatencyMS: r.IntN(40),
		}
		switch k := r.IntN(100); {
		case k < 10: // the create's own entry, written by the mutation hook
			e.Action, e.ResourceType, e.ResourceID = audit.ActionCreate, "Contact", contacts[r.IntN(len(contacts))]
			e.IP, e.UserAgent, e.Status, e.LatencyMS = "", "", 0, 0
			e.Detail = "fields: first_name, last_name, email, phone, source"
			e.PHI = true
		case k < 15: // pages
			e.Method, e.Path = "GET", []string{"/", "/ui/contacts"}[r.IntN(2)]
			e.PHI = e.Path != "/"
		default:
			op := ops[r.IntN(len(ops))]
			sum := sha256.Sum256([]byte(strconv.Itoa(i)))
			e.Method, e.Path, e.Operation, e.BodySHA256 = "POST", "/graphql", op, hex.EncodeToString(sum[:])
			e.PHI = true
			if op == "Contact" {
				e.ResourceType, e.ResourceID = "Contact", contacts[r.IntN(len(contacts))]
			}
		}
		batch = append(batch, e)
		if len(batch) == size || i == n-1 {
			out = append(out, batch)
			batch = nil
		}
	}
	return out
}
