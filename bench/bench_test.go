package bench

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/entclient"
	"github.com/avatarimaging/avatarcrm/internal/search"
	"github.com/avatarimaging/avatarcrm/internal/seed"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// defaultContacts is how many contacts the benchmark database holds at the
// Sydney location on top of the demo data; AVATARCRM_BENCH_CONTACTS
// overrides it.
const defaultContacts = 100_000

// batchSize is how many contacts one CreateBulk (and one transaction)
// inserts.
const batchSize = 1000

// fixture is the benchmark database, built once per test binary and only
// when a benchmark asks for it: `go test ./...` never builds it.
type fixture struct {
	Path     string
	DB       *db.DB
	Location pulid.ID // SYD
	Contacts int      // bulk contacts inserted
	Insert   time.Duration
	// Index is the contact search index of SYD, rebuilt after the insert:
	// its rows, the time Reindex took and the bytes it added to the file.
	IndexKeys  int
	IndexBuild time.Duration
	IndexBytes int64
}

var (
	fixOnce sync.Once
	fix     *fixture
	fixErr  error
	fixDir  string
)

func TestMain(m *testing.M) {
	// Migrations and the seed log at info; keep benchmark output to figures.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	code := m.Run()
	// Nothing was built unless a benchmark ran.
	if fix != nil {
		_ = fix.DB.Close()
	}
	if fixDir != "" {
		_ = os.RemoveAll(fixDir)
	}
	os.Exit(code)
}

// getFixture returns the shared database: the demo data (two locations, their
// users, services and about 200 contacts) plus defaultContacts contacts at
// SYD, in a SQLite file in a temporary directory.
func getFixture(b *testing.B) *fixture {
	b.Helper()
	fixOnce.Do(func() { fix, fixErr = build(b) })
	if fixErr != nil {
		b.Fatalf("benchmark database: %v", fixErr)
	}
	return fix
}

func build(b *testing.B) (*fixture, error) {
	n := defaultContacts
	if v := os.Getenv("AVATARCRM_BENCH_CONTACTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 0 {
			return nil, fmt.Errorf("AVATARCRM_BENCH_CONTACTS=%q: want a number", v)
		}
	}
	ctx := context.Background()
	// AVATARCRM_BENCH_DB names a file to keep the database in: built there
	// when missing, else reused as it is (a second run skips the minutes of
	// building; the create benchmarks add to it, so use it for reads).
	keep := os.Getenv("AVATARCRM_BENCH_DB")
	if keep != "" {
		if _, err := os.Stat(keep); err == nil {
			return reopen(ctx, keep, n)
		}
	}
	var err error
	if fixDir, err = os.MkdirTemp("", "avatarcrm-bench-*"); err != nil {
		return nil, err
	}
	f := &fixture{Path: filepath.Join(fixDir, "bench.db"), Contacts: n}
	if keep != "" {
		f.Path = keep
	}
	// Build with fsync off (the file is thrown away afterwards and a crash
	// only loses the fixture), then reopen with the application's settings.
	// A 256 MB page cache holds most of the search index while Reindex
	// writes it.
	dsn := "file:" + f.Path + "?_synchronous=OFF&_cache_size=-262144"
	// The demo data goes in through the client every process uses, hooks
	// and all, as the server seeds it; the bulk contacts then through a
	// plain client.
	start := time.Now()
	if err := seedDemo(ctx, dsn); err != nil {
		return nil, fmt.Errorf("demo data: %w", err)
	}
	seedTook := time.Since(start)
	w, err := db.Open(ctx, db.Config{URL: dsn})
	if err != nil {
		return nil, err
	}
	defer w.Close()
	sys := viewer.Seed.Grant(ctx, "test")
	loc, err := w.Client.Location.Query().Where(location.Code("SYD")).Only(sys)
	if err != nil {
		return nil, err
	}
	f.Location = loc.ID
	start = time.Now()
	if err := insertContacts(sys, w.Client, loc.ID, n); err != nil {
		return nil, fmt.Errorf("bulk contacts: %w", err)
	}
	f.Insert = time.Since(start)
	// Fold the WAL into the file, as a long-running server would have.
	checkpoint := func() (int64, error) {
		if _, err := w.SQL.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return 0, err
		}
		st, err := os.Stat(f.Path)
		if err != nil {
			return 0, err
		}
		return st.Size(), nil
	}
	before, err := checkpoint()
	if err != nil {
		return nil, err
	}
	// The contacts went in without the search hook, as an import from an
	// older version would have: build the index as EnsureIndexed does.
	start = time.Now()
	if f.IndexKeys, err = search.New(w.Client).Reindex(sys, loc.ID); err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	f.IndexBuild = time.Since(start)
	after, err := checkpoint()
	if err != nil {
		return nil, err
	}
	f.IndexBytes = after - before
	if err := w.Close(); err != nil {
		return nil, err
	}
	if f.DB, err = db.Open(ctx, db.Config{URL: "sqlite:" + f.Path}); err != nil {
		return nil, err
	}
	var size int64
	if st, err := os.Stat(f.Path); err == nil {
		size = st.Size()
	}
	b.Logf("benchmark database %s: demo data in %s; %d contacts inserted in %s (%.0f/s, batches of %d through ent CreateBulk with hooks); "+
		"search index of SYD: %d keys (%.1f a contact) built by Reindex in %s, %.1f MB; file %.1f MB",
		f.Path, seedTook.Round(time.Millisecond), n, f.Insert.Round(time.Millisecond),
		float64(n)/f.Insert.Seconds(), batchSize,
		f.IndexKeys, float64(f.IndexKeys)/float64(max(n, 1)), f.IndexBuild.Round(time.Millisecond), float64(f.IndexBytes)/(1<<20),
		float64(size)/(1<<20))
	return f, nil
}

// reopen opens a database build made before, at path.
func reopen(ctx context.Context, path string, n int) (*fixture, error) {
	d, err := db.Open(ctx, db.Config{URL: "sqlite:" + path})
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		return nil, err
	}
	loc, err := d.Client.Location.Query().Where(location.Code("SYD")).Only(viewer.Seed.Grant(ctx, "test"))
	if err != nil {
		return nil, err
	}
	return &fixture{Path: path, DB: d, Location: loc.ID, Contacts: n}, nil
}

var (
	firstNames = []string{"Olivia", "Charlotte", "Amelia", "Isla", "Mia", "Ava", "Grace", "Chloe", "Oliver", "Noah",
		"Jack", "William", "Leo", "Lucas", "Priya", "Wei", "Minh", "Ahmed", "Fatima", "Giulia", "Aroha", "Connor"}
	lastNames = []string{"Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Lee", "Chen", "Wang",
		"Singh", "Patel", "Kim", "Rossi", "Papadopoulos", "Haddad", "O'Brien", "Murphy", "Tran", "Kelly"}
	// stages by pipeline, and how often each pipeline occurs (lead most).
	stages = map[contact.Pipeline][]contact.Stage{
		contact.PipelineLead:            {contact.StageNewLead, contact.StageContacted, contact.StageQualified, contact.StageBooked},
		contact.PipelinePreAppointment:  {contact.StageConfirmed, contact.StageReminded, contact.StageReady},
		contact.PipelinePostAppointment: {contact.StageCompleted, contact.StageResultsSent, contact.StageRecalled},
		contact.PipelinePartnership:     {contact.StageReferralSent, contact.StagePartnershipActive},
	}
	pipelines = []contact.Pipeline{
		contact.PipelineLead, contact.PipelineLead, contact.PipelineLead, contact.PipelineLead,
		contact.PipelinePreAppointment, contact.PipelinePreAppointment,
		contact.PipelinePostAppointment, contact.PipelinePostAppointment, contact.PipelinePostAppointment,
		contact.PipelinePartnership,
	}
	sources = []contact.LeadSource{
		contact.LeadSourceMetaAds, contact.LeadSourceGoogleAds, contact.LeadSourceReferral, contact.LeadSourceGpReferral,
		contact.LeadSourceWix, contact.LeadSourceManychat, contact.LeadSourceWalkIn, contact.LeadSourceOther,
	}
)

// seedDemo migrates the database at dsn and loads the demo data as the
// server does (internal/entclient, the test audit key and clock).
func seedDemo(ctx context.Context, dsn string) error {
	d, err := db.Open(ctx, db.Config{URL: dsn})
	if err != nil {
		return err
	}
	if _, err := d.Migrate(ctx); err != nil {
		_ = d.Close()
		return err
	}
	ec := entclient.New(d, entclient.Options{AuditKey: testutil.AuditKey, Clock: clock.Fixed(testutil.Now)})
	_, err = seed.Demo(ctx, ec, seed.Options{})
	if cerr := ec.Close(ctx); err == nil {
		err = cerr
	}
	return err
}

// insertContacts adds n generated contacts at loc through ent (so the
// normalisation hook runs on every row), batchSize per transaction.
func insertContacts(ctx context.Context, c *ent.Client, loc pulid.ID, n int) error {
	rng := rand.New(rand.NewPCG(100_000, 42))
	base := testutil.Now
	for off := 0; off < n; off += batchSize {
		tx, err := c.Tx(ctx)
		if err != nil {
			return err
		}
		builders := make([]*ent.ContactCreate, 0, batchSize)
		for i := off; i < min(off+batchSize, n); i++ {
			first := firstNames[rng.IntN(len(firstNames))]
			last := lastNames[rng.IntN(len(lastNames))]
			p := pipelines[rng.IntN(len(pipelines))]
			st := stages[p][rng.IntN(len(stages[p]))]
			// One contact every 15 minutes up to now (about three years for
			// 100,000): IDs carry the time, so they arrive in key order as
			// they would in a clinic's life.
			created := base.Add(-time.Duration(n-i)*15*time.Minute + time.Duration(rng.IntN(900))*time.Second)
			cb := tx.Contact.Create().
				SetID(pulid.NewAt("con", created)).
				SetLocationID(loc).
				SetFirstName(first).SetLastName(last).
				SetLeadSource(sources[rng.IntN(len(sources))]).
				SetPipeline(p).SetStage(st).
				SetWarmness(rng.IntN(101)).
				SetCreatedAt(created).SetUpdatedAt(created).SetStageChangedAt(created).
				SetSmsConsent(rng.IntN(2) == 0).SetEmailConsent(rng.IntN(2) == 0)
			if rng.IntN(10) < 8 {
				// As typed at the front desk; the hook stores E.164.
				// 040x-043x and 046x are allocated mobile ranges.
				cb.SetPhone(fmt.Sprintf("04%d%d %03d %03d", []int{0, 1, 2, 3, 6}[rng.IntN(5)], rng.IntN(10), i/1000%1000, i%1000))
			}
			if rng.IntN(10) < 6 {
				cb.SetEmail(fmt.Sprintf("%s.%s%d@example.net", strings.ToLower(first), strings.ToLower(strings.ReplaceAll(last, "'", "")), i))
			}
			if rng.IntN(4) == 0 {
				cb.SetTags([]string{"bulk"})
			}
			builders = append(builders, cb)
		}
		if err := tx.Contact.CreateBulk(builders...).Exec(ctx); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// latencies collects the duration of each operation and reports p50 and
// p95 in milliseconds beside ns/op.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	s := slices.Clone(l)
	slices.Sort(s)
	pct := func(p float64) float64 {
		i := int(float64(len(s))*p+0.5) - 1
		i = max(0, min(i, len(s)-1))
		return float64(s[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
}

func ptr[T any](v T) *T { return &v }

// measure runs op b.N times, failing on the first error, and reports p50
// and p95 beside ns/op.
//
// It also reports the process's CPU time per operation (user + system,
// every goroutine and SQLite's C code included), which unlike the
// latencies hardly depends on what else the machine runs.
func measure(b *testing.B, op func(i int) error) {
	b.Helper()
	lat := make(latencies, 0, b.N)
	stopCount := countStatements(b)
	cpu0 := processCPU()
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	stopCount()
	// The process's CPU (user + system, every thread: the server's
	// background jobs and audit writer included) per operation: on a
	// shared machine it moves less than the latencies.
	b.ReportMetric(float64(processCPU()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	lat.report(b)
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}

// processCPU is the user and system time the process has used.
func gqlErr(r testutil.GQLResponse) error {
	if len(r.Errors) > 0 {
		return fmt.Errorf("graphql: %+v", r.Errors)
	}
	return nil
}

// BenchmarkListContactsFiltered lists the first 50 Sydney leads with
// warmness >= 50, warmest first, as the contacts page does, as a staff
// user, out of 100,000 contacts.
func BenchmarkListContactsFiltered(b *testing.B) {
	f := getFixture(b)
	where := &ent.ContactWhereInput{Pipeline: ptr(contact.PipelineLead), WarmnessGTE: ptr(50)}
	order := &ent.ContactOrder{Field: ent.ContactOrderFieldWarmness, Direction: entgql.OrderDirectionDesc}
	first := 50

	// The resolver called directly: with no GraphQL field context entgql
	// counts (totalCount) and lists, two SQL queries.
	b.Run("resolver", func(b *testing.B) {
		ctx := testutil.As(b, f.DB.Client, "staff@example.com")
		q := (&graph.Resolver{Client: f.DB.Client}).Query()
		conn, err := q.Contacts(ctx, nil, &first, nil, nil, order, where)
		if err != nil {
			b.Fatal(err)
		}
		checkPage(b, conn, f)
		measure(b, func(int) error {
			_, err := q.Contacts(ctx, nil, &first, nil, nil, order, where)
			return err
		})
	})

	// The second page, through the cursor the first page ended with.
	b.Run("resolver_page2", func(b *testing.B) {
		ctx := testutil.As(b, f.DB.Client, "staff@example.com")
		q := (&graph.Resolver{Client: f.DB.Client}).Query()
		conn, err := q.Contacts(ctx, nil, &first, nil, nil, order, where)
		if err != nil {
			b.Fatal(err)
		}
		after := conn.PageInfo.EndCursor
		page2, err := q.Contacts(ctx, after, &first, nil, nil, order, where)
		if err != nil {
			b.Fatal(err)
		}
		checkPage(b, page2, f)
		if page2.Edges[0].Node.ID == conn.Edges[0].Node.ID {
			b.Fatal("page 2 starts where page 1 did")
		}
		measure(b, func(int) error {
			_, err := q.Contacts(ctx, after, &first, nil, nil, order, where)
			return err
		})
	})

	// The whole stack: HTTP, session cookie, gqlgen, resolver, JSON.
	listQuery := func(fields string) string {
		return `query($first: Int!) { contacts(first: $first, where: {pipeline: lead, warmnessGTE: 50}, orderBy: {field: WARMNESS, direction: DESC}) {
			` + fields + ` edges { node { id firstName lastName phone email pipeline stage warmness } } } }`
	}
	vars := map[string]any{"first": first}
	b.Run("http", func(b *testing.B) {
		srv := testutil.StartServer(b, testutil.ServerOptions{DatabaseURL: "sqlite:" + f.Path, Env: serverEnv()})
		c := srv.SignIn(b, "staff@example.com")
		query := listQuery("totalCount pageInfo { hasNextPage endCursor }")
		var out struct {
			Contacts struct {
				TotalCount int
				Edges      []struct{ Node struct{ Warmness int } }
			}
		}
		srv.MustGraphQL(b, c, query, vars).Decode(b, &out)
		if len(out.Contacts.Edges) != first || out.Contacts.TotalCount < f.Contacts/10 {
			b.Fatalf("http: %d edges of %d", len(out.Contacts.Edges), out.Contacts.TotalCount)
		}
		measure(b, func(int) error { return gqlErr(srv.GraphQL(b, c, query, vars)) })
	})

	// The same without totalCount and pageInfo: entgql then skips the
	// COUNT query, which shows what counting costs.
	b.Run("http_no_count", func(b *testing.B) {
		srv := testutil.StartServer(b, testutil.ServerOptions{DatabaseURL: "sqlite:" + f.Path, Env: serverEnv()})
		c := srv.SignIn(b, "staff@example.com")
		query := listQuery("")
		var out struct {
			Contacts struct {
				Edges []struct{ Node struct{ Warmness int } }
			}
		}
		srv.MustGraphQL(b, c, query, vars).Decode(b, &out)
		if len(out.Contacts.Edges) != first {
			b.Fatalf("http: %d edges", len(out.Contacts.Edges))
		}
		measure(b, func(int) error { return gqlErr(srv.GraphQL(b, c, query, vars)) })
	})
}

// BenchmarkListContactsUnfiltered lists the first 50 Sydney contacts,
// warmest first, with no filter: the count then covers all 100,000.
func BenchmarkListContactsUnfiltered(b *testing.B) {
	f := getFixture(b)
	order := &ent.ContactOrder{Field: ent.ContactOrderFieldWarmness, Direction: entgql.OrderDirectionDesc}
	first := 50
	b.Run("resolver", func(b *testing.B) {
		ctx := testutil.As(b, f.DB.Client, "staff@example.com")
		q := (&graph.Resolver{Client: f.DB.Client}).Query()
		conn, err := q.Contacts(ctx, nil, &first, nil, nil, order, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(conn.Edges) != first || conn.TotalCount < f.Contacts {
			b.Fatalf("%d edges of %d", len(conn.Edges), conn.TotalCount)
		}
		measure(b, func(int) error {
			_, err := q.Contacts(ctx, nil, &first, nil, nil, order, nil)
			return err
		})
	})
}

func checkPage(b *testing.B, conn *ent.ContactConnection, f *fixture) {
	b.Helper()
	if len(conn.Edges) != 50 || !conn.PageInfo.HasNextPage {
		b.Fatalf("got %d contacts (hasNextPage %v), want a full page of 50", len(conn.Edges), conn.PageInfo.HasNextPage)
	}
	// About 40% are leads and half of those warm.
	if conn.TotalCount < f.Contacts/10 {
		b.Fatalf("totalCount %d: the bulk contacts are missing", conn.TotalCount)
	}
	prev := 101
	for _, e := range conn.Edges {
		n := e.Node
		if n.LocationID != f.Location || n.Pipeline != contact.PipelineLead || n.Warmness < 50 || n.Warmness > prev {
			b.Fatalf("unexpected contact %s: %s %s warmness %d after %d", n.ID, n.LocationID, n.Pipeline, n.Warmness, prev)
		}
		prev = n.Warmness
	}
}

// BenchmarkCreateContact creates a contact with a phone typed as a person
// would ("0412 345 678", stored as +61412345678), as a staff user, on the
// same database.
func BenchmarkCreateContact(b *testing.B) {
	f := getFixture(b)
	input := func(i int) ent.CreateContactInput {
		return ent.CreateContactInput{
			FirstName:  "Bench",
			LastName:   ptr(fmt.Sprintf("Create%d", i)),
			Phone:      ptr(fmt.Sprintf("0487 %03d %03d", i/1000%1000, i%1000)),
			Email:      ptr(fmt.Sprintf("Bench.Create%d@Example.net", i)),
			LeadSource: ptr(contact.LeadSourceWalkIn),
		}
	}

	b.Run("resolver", func(b *testing.B) {
		ctx := testutil.As(b, f.DB.Client, "staff@example.com")
		m := (&graph.Resolver{Client: f.DB.Client, ContactService: &contacts.Service{Client: f.DB.Client}}).Mutation()
		// Every contact is new (createSeq), so each create pays for the
		// duplicate check by phone and email, as a real one does.
		allow := false
		n := int(createSeq.Add(1))
		c, err := m.CreateContact(ctx, input(n), &allow)
		if err != nil {
			b.Fatal(err)
		}
		if want := fmt.Sprintf("+61487%03d%03d", n/1000%1000, n%1000); c.Phone == nil || *c.Phone != want || c.LocationID != f.Location {
			b.Fatalf("created %+v", c)
		}
		measure(b, func(int) error {
			_, err := m.CreateContact(ctx, input(int(createSeq.Add(1))), &allow)
			return err
		})
	})

	b.Run("http", func(b *testing.B) {
		srv := testutil.StartServer(b, testutil.ServerOptions{DatabaseURL: "sqlite:" + f.Path, Env: serverEnv()})
		c := srv.SignIn(b, "staff@example.com")
		mutation := `mutation($input: CreateContactInput!) { createContact(input: $input) { id phone } }`
		vars := func(i int) map[string]any {
			return map[string]any{"input": map[string]any{
				"firstName": "Bench", "lastName": fmt.Sprintf("Http%d", i),
				"phone": fmt.Sprintf("0488 %03d %03d", i/1000%1000, i%1000), "email": fmt.Sprintf("bench.http%d@example.net", i),
			}}
		}
		var out struct{ CreateContact struct{ Phone string } }
		n := int(createSeq.Add(1))
		srv.MustGraphQL(b, c, mutation, vars(n)).Decode(b, &out)
		if want := fmt.Sprintf("+61488%03d%03d", n/1000%1000, n%1000); out.CreateContact.Phone != want {
			b.Fatalf("phone %q", out.CreateContact.Phone)
		}
		measure(b, func(int) error { return gqlErr(srv.GraphQL(b, c, mutation, vars(int(createSeq.Add(1))))) })
	})
}

// createSeq numbers the contacts the create benchmarks make: the rounds of a
// benchmark repeat their i, and a repeated phone would be a duplicate.
var createSeq atomic.Int64
