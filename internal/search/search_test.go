package search_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/searchkey"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/search"
	"github.com/avatarimaging/avatarcrm/internal/seed"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// env is a database holding the demo data and a few contacts the tests
// search for, with the index hook installed.
type env struct {
	d      *db.DB
	idx    *search.Index
	syd    context.Context // staff@example.com at SYD
	par    context.Context // par-staff@example.com at PAR
	people map[string]*ent.Contact
}

// person is a contact the tests create, through the hook.
type person struct {
	key, first, last, phone, email string
	warmness                       int
	par                            bool
}

var people = []person{
	{key: "john", first: "John", last: "Smith", phone: "0491 570 156", email: "j.smith.radiology@example.org", warmness: 40},
	{key: "joan", first: "Joan", last: "Smithers", warmness: 90},
	{key: "aoife", first: "Aoife", last: "O'Brien", email: "aoife@example.org", warmness: 10},
	{key: "zoe-accent", first: "Zoë", last: "Quinlan", warmness: 30},
	{key: "zoe-plain", first: "Zoe", last: "Quinlan", warmness: 20},
	{key: "rowena", first: "Rowena", last: "Fairweather", phone: "0491 570 159", warmness: 5},
	{key: "konstantinos", first: "Konstantinos", last: "Papadopoulos", warmness: 50},
	{key: "tamsin", first: "Tamsin", last: "Quartermaine", phone: "0491 570 157", par: true},
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	e := &env{d: d, idx: search.New(d.Client), people: map[string]*ent.Contact{}}
	d.Client.Use(e.idx.Hook())
	sys := viewer.Seed.Grant(context.Background(), "test")
	// The demo data was indexed as it was seeded: nothing to catch up.
	if n, err := e.idx.EnsureIndexed(sys); err != nil || n != 0 {
		t.Fatalf("EnsureIndexed: %d keys, %v", n, err)
	}
	e.syd = testutil.As(t, d.Client, "staff@example.com")
	e.par = testutil.As(t, d.Client, "par-staff@example.com")
	for _, p := range people {
		ctx := e.syd
		if p.par {
			ctx = e.par
		}
		b := d.Client.Contact.Create().SetFirstName(p.first).SetLastName(p.last)
		if p.phone != "" {
			b.SetPhone(p.phone)
		}
		if p.email != "" {
			b.SetEmail(p.email)
		}
		c, err := b.Save(ctx)
		if err != nil {
			t.Fatalf("create %s %s: %v", p.first, p.last, err)
		}
		// Warmness is computed, not typed; set it as the scorer would.
		if c, err = c.Update().SetWarmness(p.warmness).Save(sys); err != nil {
			t.Fatal(err)
		}
		e.people[p.key] = c
	}
	return e
}

func sqliteEnv(t *testing.T) *env { return newEnv(t, testutil.DemoDB(t)) }

func (e *env) search(t *testing.T, ctx context.Context, q string, opts ...search.Options) []search.Result {
	t.Helper()
	var o search.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	rs, err := e.idx.Search(ctx, q, o)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return rs
}

func show(rs []search.Result) string {
	var b []string
	for _, r := range rs {
		b = append(b, fmt.Sprintf("%s %s (%.2f: %s)", r.Contact.FirstName, r.Contact.LastName, r.Score, r.Matched))
	}
	return strings.Join(b, "\n")
}

func ids(rs []search.Result) []pulid.ID {
	out := make([]pulid.ID, len(rs))
	for i, r := range rs {
		out[i] = r.Contact.ID
	}
	return out
}

// wantFirst checks that q finds the person with that key first.
func (e *env) wantFirst(t *testing.T, ctx context.Context, q, key string) []search.Result {
	t.Helper()
	rs := e.search(t, ctx, q)
	if len(rs) == 0 || rs[0].Contact.ID != e.people[key].ID {
		t.Errorf("%q: want %s %s first, got:\n%s", q, e.people[key].FirstName, e.people[key].LastName, show(rs))
	}
	return rs
}

// wantFound checks that q finds the person with that key.
func (e *env) wantFound(t *testing.T, ctx context.Context, q, key string) []search.Result {
	t.Helper()
	rs := e.search(t, ctx, q, search.Options{Limit: search.MaxLimit})
	if !slices.Contains(ids(rs), e.people[key].ID) {
		t.Errorf("%q: want %s %s among the results, got:\n%s", q, e.people[key].FirstName, e.people[key].LastName, show(rs))
	}
	return rs
}

func (e *env) wantNone(t *testing.T, ctx context.Context, q string) {
	t.Helper()
	if rs := e.search(t, ctx, q); len(rs) != 0 {
		t.Errorf("%q: want nothing, got:\n%s", q, show(rs))
	}
}

func TestSearch_Typos(t *testing.T) {
	e := sqliteEnv(t)
	rs := e.wantFirst(t, e.syd, "Jhon Smtih", "john")
	if len(rs) > 0 && rs[0].Matched != `first name "John" (1 typo), last name "Smith" (1 typo)` {
		t.Errorf("matched = %q", rs[0].Matched)
	}
	e.wantFirst(t, e.syd, "jon smith", "john")
	e.wantFirst(t, e.syd, "Kohn Smith", "john") // the first letter wrong
	e.wantFirst(t, e.syd, "Kohn", "john")
	e.wantFirst(t, e.syd, "john smth", "john")   // a letter missing
	e.wantFirst(t, e.syd, "johhn smith", "john") // a letter too many
	// Long words take two typos.
	e.wantFirst(t, e.syd, "konstantinos papadoupolos", "konstantinos")
	e.wantFirst(t, e.syd, "Konstantinso Papadopolous", "konstantinos")

	// Every Smith is found by a typo, John among them.
	rs = e.wantFound(t, e.syd, "smth", "john")
	for _, r := range rs {
		if r.Contact.LastName != "Smith" {
			t.Errorf("smth found %s %s", r.Contact.FirstName, r.Contact.LastName)
		}
	}
	// Joan Smithers is warmer, but a typo of Smith is not her.
	if slices.Contains(ids(rs), e.people["joan"].ID) {
		t.Errorf("smth found Joan Smithers:\n%s", show(rs))
	}
}

func TestSearch_Prefix(t *testing.T) {
	e := sqliteEnv(t)
	rs := e.wantFound(t, e.syd, "Smit", "john")
	var smithers bool
	for _, r := range rs {
		if !strings.HasPrefix(r.Contact.LastName, "Smith") {
			t.Errorf("Smit found %s %s", r.Contact.FirstName, r.Contact.LastName)
		}
		if r.Contact.ID == e.people["john"].ID && !strings.Contains(r.Matched, `starts with "smit"`) {
			t.Errorf("Smit matched John Smith by %q", r.Matched)
		}
		smithers = smithers || r.Contact.ID == e.people["joan"].ID
	}
	if !smithers {
		t.Error("Smit did not find Joan Smithers")
	}
	// An exact match outranks a prefix: John Smith before the warmer Joan
	// Smithers.
	rs = e.search(t, e.syd, "smith", search.Options{Limit: search.MaxLimit})
	if i, j := slices.Index(ids(rs), e.people["john"].ID), slices.Index(ids(rs), e.people["joan"].ID); i < 0 || j < i {
		t.Errorf("smith: John Smith at %d, Joan Smithers at %d:\n%s", i, j, show(rs))
	}
	// Equal matches: warmer first.
	for i := 1; i < len(rs); i++ {
		if rs[i].Score == rs[i-1].Score && rs[i].Contact.Warmness > rs[i-1].Contact.Warmness {
			t.Errorf("smith: %s (warmness %d) after %s (%d) with the same score", rs[i].Contact.LastName, rs[i].Contact.Warmness,
				rs[i-1].Contact.LastName, rs[i-1].Contact.Warmness)
		}
		if rs[i].Score > rs[i-1].Score {
			t.Errorf("smith: scores not in order:\n%s", show(rs))
		}
	}
	// One letter after a full word is a prefix: "John S".
	e.wantFirst(t, e.syd, "john s", "john")
	e.wantFirst(t, e.syd, "aoife o", "aoife")
}

func TestSearch_Phone(t *testing.T) {
	e := sqliteEnv(t)
	for _, q := range []string{"0491 570 156", "0491570156", "+61491570156", "+61 491 570 156", "0061 491 570 156", "491 570", "(04) 9157-0156"} {
		e.wantFirst(t, e.syd, q, "john")
	}
	// The end of the number, six digits or more.
	rs := e.wantFirst(t, e.syd, "570 156", "john")
	if len(rs) > 0 && !strings.Contains(rs[0].Matched, "ends with 570156") {
		t.Errorf("570 156 matched %q", rs[0].Matched)
	}
	// Rowena's number differs in the last digit.
	if rs := e.search(t, e.syd, "0491 570 156"); slices.Contains(ids(rs), e.people["rowena"].ID) {
		t.Errorf("John's number found Rowena:\n%s", show(rs))
	}
	// Both share 0491 570 15…
	e.wantFound(t, e.syd, "0491 570 15", "rowena")
	// A name and a number together.
	e.wantFirst(t, e.syd, "john 0491", "john")
}

func TestSearch_Email(t *testing.T) {
	e := sqliteEnv(t)
	for _, q := range []string{"j.smith.rad", "j.smith.radiology@example.org", "J.Smith.Radiology@", "jsmithradio"} {
		rs := e.wantFirst(t, e.syd, q, "john")
		if len(rs) > 0 && !strings.Contains(rs[0].Matched, "email j.smith.radiology@example.org") {
			t.Errorf("%q matched %q", q, rs[0].Matched)
		}
	}
}

func TestSearch_ApostrophesAndAccents(t *testing.T) {
	e := sqliteEnv(t)
	for _, q := range []string{"O'Brien", "obrien", "O’Brien", "Brien", "O Brien", "aoife obrien"} {
		e.wantFound(t, e.syd, q, "aoife")
	}
	e.wantFirst(t, e.syd, "Aoife O'Brian", "aoife")
	for _, q := range []string{"zoe quinlan", "Zoë Quinlan", "ZOE QUINLAN"} {
		rs := e.search(t, e.syd, q)
		got := ids(rs)
		// Both spellings, equal score, the warmer (Zoë, 30) first.
		if len(got) != 2 || got[0] != e.people["zoe-accent"].ID || got[1] != e.people["zoe-plain"].ID || rs[0].Score != rs[1].Score {
			t.Errorf("%q: want Zoë then Zoe Quinlan, got:\n%s", q, show(rs))
		}
	}
}

func TestSearch_NoFalsePositives(t *testing.T) {
	e := sqliteEnv(t)
	// The demo data has Olivias and no Xavier.
	e.wantNone(t, e.syd, "Xavier")
	e.wantNone(t, e.syd, "Qwerty")
	e.wantNone(t, e.syd, "0499 999 999")
	// Three letters take a missing letter only: "jan" is Joan, "jun" is
	// not.
	e.wantFound(t, e.syd, "jan", "joan")
	for _, r := range e.search(t, e.syd, "jun", search.Options{Limit: search.MaxLimit}) {
		if r.Contact.ID == e.people["joan"].ID {
			t.Errorf("jun found Joan Smithers (%s)", r.Matched)
		}
	}
	for _, r := range e.search(t, e.syd, "Smyth", search.Options{Limit: search.MaxLimit}) {
		if r.Contact.LastName != "Smith" {
			t.Errorf("Smyth found %s %s (%s)", r.Contact.FirstName, r.Contact.LastName, r.Matched)
		}
	}
}

func TestSearch_FallsBackToPartialMatches(t *testing.T) {
	e := sqliteEnv(t)
	// Nobody is called Xylophone: the Johns are the best there is.
	rs := e.wantFirst(t, e.syd, "John Xylophone", "john")
	if len(rs) > 0 && rs[0].Score != 1 {
		t.Errorf("partial match scored %.2f, want 1 (first name exact only)", rs[0].Score)
	}
}

func TestSearch_Tenancy(t *testing.T) {
	e := sqliteEnv(t)
	e.wantNone(t, e.syd, "Quartermaine")
	e.wantNone(t, e.syd, "0491 570 157")
	e.wantFirst(t, e.par, "Quartermaine", "tamsin")
	e.wantFirst(t, e.par, "Tamsn Quatermaine", "tamsin")
	e.wantNone(t, e.par, "0491 570 156")
	// PAR has Smiths of its own (found by the fallback), never John.
	for _, r := range e.search(t, e.par, "Jhon Smtih", search.Options{Limit: search.MaxLimit}) {
		if r.Contact.ID == e.people["john"].ID || r.Contact.LocationID != e.people["tamsin"].LocationID {
			t.Errorf("at PAR, Jhon Smtih found %s %s of %s", r.Contact.FirstName, r.Contact.LastName, r.Contact.LocationID)
		}
	}
	// No viewer, no results.
	if _, err := e.idx.Search(context.Background(), "smith", search.Options{}); err == nil {
		t.Error("a search without a viewer succeeded")
	}
	// Nothing from PAR whatever the query.
	for _, q := range []string{"smith", "quartermaine", "tam", "0491"} {
		for _, r := range e.search(t, e.syd, q, search.Options{Limit: search.MaxLimit}) {
			if r.Contact.LocationID != e.people["john"].LocationID {
				t.Errorf("%q at SYD found %s %s of %s", q, r.Contact.FirstName, r.Contact.LastName, r.Contact.LocationID)
			}
		}
	}
}

func TestSearch_ArchivedAndFilter(t *testing.T) {
	e := sqliteEnv(t)
	rowena := e.people["rowena"]
	if err := rowena.Update().SetArchivedAt(time.Now()).Exec(viewer.Seed.Grant(context.Background(), "test")); err != nil {
		t.Fatal(err)
	}
	e.wantNone(t, e.syd, "fairweather")
	if rs := e.search(t, e.syd, "fairweather", search.Options{IncludeArchived: true}); len(rs) != 1 || rs[0].Contact.ID != rowena.ID {
		t.Errorf("fairweather with archived:\n%s", show(rs))
	}
	// A filter narrows what was found.
	lead, post := contact.PipelineLead, contact.PipelinePostAppointment
	if rs := e.search(t, e.syd, "john smith", search.Options{Filter: &ent.ContactWhereInput{Pipeline: &lead}}); len(rs) == 0 || rs[0].Contact.ID != e.people["john"].ID {
		t.Errorf("john smith among leads:\n%s", show(rs))
	}
	for _, r := range e.search(t, e.syd, "smith", search.Options{Filter: &ent.ContactWhereInput{Pipeline: &post}, Limit: search.MaxLimit}) {
		if r.Contact.Pipeline != post {
			t.Errorf("filter on %s found %s %s in %s", post, r.Contact.FirstName, r.Contact.LastName, r.Contact.Pipeline)
		}
	}
	// Limit.
	if rs := e.search(t, e.syd, "smith", search.Options{Limit: 2}); len(rs) != 2 {
		t.Errorf("limit 2: %d results", len(rs))
	}
}

func keysOf(t *testing.T, e *env, id pulid.ID) int {
	t.Helper()
	n, err := e.d.Client.SearchKey.Query().Where(searchkey.ContactID(id)).Count(viewer.Seed.Grant(context.Background(), "test"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIndex_FollowsUpdatesAndDeletes(t *testing.T) {
	e := sqliteEnv(t)
	rowena := e.people["rowena"]
	e.wantFirst(t, e.syd, "rowena fairweather", "rowena")

	// A rename: the old name is gone, the new one found, typos included.
	if _, err := rowena.Update().SetLastName("Blackwood").SetPhone("0491 570 158").Save(e.syd); err != nil {
		t.Fatal(err)
	}
	e.wantNone(t, e.syd, "fairweather")
	e.wantNone(t, e.syd, "0491 570 159")
	e.wantFirst(t, e.syd, "rowena blackwood", "rowena")
	e.wantFirst(t, e.syd, "rowena blakcwood", "rowena")
	e.wantFirst(t, e.syd, "0491 570 158", "rowena")

	// Clearing the phone removes its keys; a change elsewhere keeps them.
	if _, err := rowena.Update().ClearPhone().SetNotes("moved").Save(e.syd); err != nil {
		t.Fatal(err)
	}
	e.wantNone(t, e.syd, "0491 570 158")
	before := keysOf(t, e, rowena.ID)
	if _, err := rowena.Update().SetStage(contact.StageContacted).Save(e.syd); err != nil {
		t.Fatal(err)
	}
	if after := keysOf(t, e, rowena.ID); after != before || after == 0 {
		t.Errorf("keys %d before a stage change, %d after", before, after)
	}

	// A bulk update by predicate.
	if _, err := e.d.Client.Contact.Update().Where(contact.LastName("Blackwood")).SetLastName("Whitlock").Save(e.syd); err != nil {
		t.Fatal(err)
	}
	e.wantNone(t, e.syd, "blackwood")
	e.wantFirst(t, e.syd, "rowena whitlock", "rowena")

	// A delete takes the keys with it.
	mgr := testutil.As(t, e.d.Client, "manager@example.com")
	if err := e.d.Client.Contact.DeleteOneID(rowena.ID).Exec(mgr); err != nil {
		t.Fatal(err)
	}
	e.wantNone(t, e.syd, "whitlock")
	if n := keysOf(t, e, rowena.ID); n != 0 {
		t.Errorf("%d keys left after the delete", n)
	}
}

func TestIndex_WrittenInTheContactsTransaction(t *testing.T) {
	e := sqliteEnv(t)
	tx, err := e.d.Client.Tx(e.syd)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tx.Contact.Create().SetFirstName("Ignatius").SetLastName("Rollback").Save(e.syd)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := tx.SearchKey.Query().Where(searchkey.ContactID(c.ID)).Count(viewer.Seed.Grant(context.Background(), "test")); err != nil || n == 0 {
		t.Fatalf("inside the transaction: %d keys, %v", n, err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := keysOf(t, e, c.ID); n != 0 {
		t.Errorf("%d keys after the rollback", n)
	}
	e.wantNone(t, e.syd, "ignatius")

	// CreateBulk in a transaction that commits.
	tx, err = e.d.Client.Tx(e.syd)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Contact.CreateBulk(
		tx.Contact.Create().SetFirstName("Bulk").SetLastName("Amberley"),
		tx.Contact.Create().SetFirstName("Bulk").SetLastName("Bellingham"),
	).Save(e.syd); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if rs := e.search(t, e.syd, "bulk"); len(rs) != 2 {
		t.Errorf("bulk: %d results, want 2:\n%s", len(rs), show(rs))
	}
}

// TestEnsureIndexed_DemoData: the demo data is seeded with the hook (the
// client every process builds), so it is indexed already. A database
// written before the index existed (its keys deleted here) is indexed by
// EnsureIndexed at start, and then only what a process without the hook
// left unindexed.
func TestEnsureIndexed_DemoData(t *testing.T) {
	path := testutil.DemoDBPath(t)
	open := func() *db.DB {
		d, err := db.Open(context.Background(), db.Config{URL: "sqlite:" + path})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = d.Close() })
		return d
	}
	d := open()
	sys := viewer.Seed.Grant(context.Background(), "test")
	count := func() int {
		n, err := d.Client.SearchKey.Query().Count(sys)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	seeded := count()
	if seeded == 0 {
		t.Fatal("the demo data has no search keys: it was seeded without the hook")
	}
	if _, err := d.SQL.Exec("DELETE FROM search_keys"); err != nil {
		t.Fatal(err)
	}
	idx := search.New(d.Client)
	d.Client.Use(idx.Hook())
	n, err := idx.EnsureIndexed(sys)
	if err != nil || n != seeded || n != count() {
		t.Fatalf("EnsureIndexed wrote %d keys (%v); the table has %d, the seeding wrote %d", n, err, count(), seeded)
	}
	// Every demo contact is found by its full name, at its own location.
	for _, code := range []string{"SYD", "PAR"} {
		email := map[string]string{"SYD": "staff@example.com", "PAR": "par-staff@example.com"}[code]
		ctx := testutil.As(t, d.Client, email)
		cs, err := d.Client.Contact.Query().Where(contact.HasLocationWith(location.Code(code))).All(sys)
		if err != nil || len(cs) == 0 {
			t.Fatalf("%s contacts: %d, %v", code, len(cs), err)
		}
		for _, c := range cs {
			rs, err := idx.Search(ctx, c.FirstName+" "+c.LastName, search.Options{Limit: search.MaxLimit, IncludeArchived: true})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(ids(rs), c.ID) {
				t.Errorf("%s: %s %s not found", code, c.FirstName, c.LastName)
			}
		}
	}
	// Again: nothing to do.
	if n, err := idx.EnsureIndexed(sys); err != nil || n != 0 {
		t.Errorf("second EnsureIndexed: %d keys, %v", n, err)
	}

	// A process without the hook adds a contact; the next start indexes it.
	other := open()
	c, err := other.Client.Contact.Create().SetFirstName("Unhooked").SetLastName("Writer").Save(testutil.As(t, other.Client, "staff@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	staff := testutil.As(t, d.Client, "staff@example.com")
	if rs, _ := idx.Search(staff, "unhooked", search.Options{}); len(rs) != 0 {
		t.Fatalf("found before indexing: %d", len(rs))
	}
	if n, err := idx.EnsureIndexed(sys); err != nil || n == 0 {
		t.Fatalf("EnsureIndexed after an unhooked write: %d keys, %v", n, err)
	}
	if rs, _ := idx.Search(staff, "unhooked writer", search.Options{}); len(rs) != 1 || rs[0].Contact.ID != c.ID {
		t.Errorf("after EnsureIndexed: %d results", len(rs))
	}

	// Reindex rebuilds a location to the same keys.
	syd, err := d.Client.Location.Query().Where(location.Code("SYD")).OnlyID(sys)
	if err != nil {
		t.Fatal(err)
	}
	before := count()
	if _, err := idx.Reindex(sys, syd); err != nil {
		t.Fatal(err)
	}
	if after := count(); after != before {
		t.Errorf("Reindex: %d keys before, %d after", before, after)
	}
}

// TestEnsureIndexed_BuildsTheTypoDictionary: a database indexed before the
// typo dictionary existed (issue 12) has its words in search_keys and an
// empty search_words once the migration dropped the old deletion rows.
// At start EnsureIndexed builds the dictionary from those words, so typos
// are found again, without rewriting any key; the dictionary is the one the
// hook wrote, and a Reindex rebuilds it the same.
func TestEnsureIndexed_BuildsTheTypoDictionary(t *testing.T) {
	e := sqliteEnv(t)
	sys := viewer.Seed.Grant(context.Background(), "test")
	dict := func() []string {
		var rows []string
		ws, err := e.d.Client.SearchWord.Query().All(sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			rows = append(rows, string(w.LocationID)+"/"+w.Key+"/"+w.Word)
		}
		slices.Sort(rows)
		return rows
	}
	keys := func() int {
		n, err := e.d.Client.SearchKey.Query().Count(sys)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	written, nkeys := dict(), keys()
	if !slices.ContainsFunc(written, func(r string) bool { return strings.HasSuffix(r, "/fairweathr/fairweather") }) {
		t.Fatalf("the hook wrote no deletions of fairweather: %d rows", len(written))
	}
	e.wantFirst(t, e.syd, "Fairwether", "rowena")

	if _, err := e.d.SQL.Exec("DELETE FROM search_words"); err != nil {
		t.Fatal(err)
	}
	e.wantNone(t, e.syd, "Fairwether")
	if n, err := e.idx.EnsureIndexed(sys); err != nil || n != 0 {
		t.Fatalf("EnsureIndexed: %d keys written, %v; want none (the keys are there)", n, err)
	}
	if got := dict(); !slices.Equal(got, written) {
		t.Errorf("dictionary built from the index: %d rows, the hook's: %d", len(got), len(written))
	}
	if n := keys(); n != nkeys {
		t.Errorf("keys: %d, want %d unchanged", n, nkeys)
	}
	e.wantFirst(t, e.syd, "Fairwether", "rowena")
	e.wantFirst(t, e.par, "Quartermane", "tamsin")
	e.wantNone(t, e.syd, "Quartermane") // the dictionary is per location
}

// TestSearch_PostgresParity runs the same searches on PostgreSQL and SQLite
// and expects the same answers. It is skipped without a PostgreSQL server
// (testutil.PostgresURL).
func TestSearch_PostgresParity(t *testing.T) {
	url := testutil.PostgresURL(t)
	ctx := context.Background()
	pg, err := db.Open(ctx, db.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Close() })
	if _, err := pg.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// Seeded through a client of its own (every hook, as the server
	// seeds), so pg stays a plain client newEnv installs the index on.
	seeder, err := db.Open(ctx, db.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = seeder.Close() })
	if _, err := seed.Demo(ctx, testutil.Client(t, seeder), seed.Options{Now: testutil.Now}); err != nil {
		t.Fatal(err)
	}
	envs := map[string]*env{"sqlite": sqliteEnv(t), "postgres": newEnv(t, pg)}
	queries := []string{
		"Jhon Smtih", "jon smith", "smth", "Smit", "smith", "Kohn", "john s", "0491 570 156", "+61491570156",
		"491 570", "570 156", "j.smith.rad", "O'Brien", "obrien", "Zoë", "zoe quinlan", "Xavier", "John Xylophone",
		"Tamsn Quatermaine", "papadoupolos", "ol", "nguyen",
	}
	answers := map[string][]string{}
	for name, e := range envs {
		for _, q := range queries {
			var got []string
			for _, r := range e.search(t, e.syd, q, search.Options{Limit: 50}) {
				// IDs differ between the databases; names, scores and
				// what matched do not.
				got = append(got, fmt.Sprintf("%s %s %.2f %s", r.Contact.FirstName, r.Contact.LastName, r.Score, r.Matched))
			}
			answers[name] = append(answers[name], q+": "+strings.Join(got, "; "))
		}
	}
	for i, q := range queries {
		if a, b := answers["sqlite"][i], answers["postgres"][i]; a != b {
			t.Errorf("%q differs:\nsqlite   %s\npostgres %s", q, a, b)
		}
	}
	e := envs["postgres"]
	e.wantFirst(t, e.syd, "Jhon Smtih", "john")
	e.wantFirst(t, e.syd, "0491 570 156", "john")
	e.wantNone(t, e.syd, "Quartermaine")
}
