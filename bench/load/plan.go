package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// A step is one kind of request of the plan: a GraphQL operation or a page.
type step struct {
	name string
	// graphql steps answer JSON whose "errors" count as failures.
	graphql bool
	next    func(t *vegeta.Target) error
}

const (
	listFields = `edges { node { id firstName lastName phone email pipeline stage warmness } }`
	listQuery  = `query List { contacts(first: 50, where: {pipeline: lead, warmnessGTE: 20}, orderBy: {field: WARMNESS, direction: DESC}) { ` + listFields + ` } }`
	countQuery = `query ListCount { contacts(first: 50, where: {pipeline: lead, warmnessGTE: 20}, orderBy: {field: WARMNESS, direction: DESC}) { totalCount pageInfo { hasNextPage endCursor } ` + listFields + ` } }`
	viewQuery  = `query View($id: ID!) { node(id: $id) { ... on Contact { id firstName lastName phone email dateOfBirth leadSource referrer pipeline stage warmness warmnessReasons { factor points detail } tags smsConsent emailConsent notes createdAt updatedAt } } }`
	// The same selection as BenchmarkSearchContacts/http_mixed, 20 results
	// (searchContacts' default).
	searchQuery = `query Search($q: String!) { searchContacts(query: $q) { score matched contact { id firstName lastName phone email warmness } } }`
	// Warmest first: the (location_id, warmness, id) index answers it (by
	// ID alone, SQLite sorts the whole location for every page).
	idsQuery = `query IDs($after: Cursor) { contacts(first: 100, after: $after, orderBy: {field: WARMNESS, direction: DESC}) { pageInfo { hasNextPage endCursor } edges { node { id } } } }`
)

// searchShapes are the query shapes of the issue (item 3), the same for
// both distributions: the names are in both. Phone queries are added from
// the data set.
var searchShapes = []struct {
	name    string
	queries []string
}{
	{"search_exact", []string{"Nguyen", "Smith", "Papadopoulos", "O'Brien"}},
	{"search_prefix", []string{"papa", "Chlo", "Wils", "jame"}},
	{"search_prefix3", []string{"Wil"}},
	{"search_typo", []string{"Nguyem", "Smtih", "Wiliams", "Robinsn"}},
	{"search_2typos", []string{"Olivai Smtih", "charlote robinsn", "Jack Wilsno", "Priya Patle"}},
}

// stepNames lists every step in the order they run.
var stepNames = []string{"list", "list_count", "view", "create",
	"search_exact", "search_prefix", "search_prefix3", "search_typo", "search_2typos", "search_phone", "search_mixed",
	"dashboard", "contacts_page"}

// phoneQueries are phones of generated contacts typed four ways: national,
// E.164, a prefix of the subscriber number, and its last six digits.
func (e *env) phoneQueries() []string {
	var qs []string
	for i := 0; i < e.contacts && len(qs) < 12; i += 997 {
		p := e.dist.personAt(e.seed, i)
		if p.Phone == "" {
			continue
		}
		digits := strings.ReplaceAll(p.Phone, " ", "") // 0412345678
		nsn := digits[1:]
		qs = append(qs, p.Phone, "+61"+nsn, nsn[:3]+" "+nsn[3:5], nsn[3:6]+" "+nsn[6:])
	}
	return qs
}

// steps builds the plan's steps.
func (e *env) steps() map[string]step {
	gql := func(name, query string, vars func() map[string]any) step {
		var fixed []byte
		if vars == nil {
			fixed = gqlBody(query, nil)
		}
		return step{name: name, graphql: true, next: func(t *vegeta.Target) error {
			t.Method, t.URL = http.MethodPost, e.c.base+"/graphql"
			t.Header = e.header(true)
			if fixed != nil {
				t.Body = fixed
			} else {
				t.Body = gqlBody(query, vars())
			}
			return nil
		}}
	}
	cycle := func(qs []string) func() map[string]any {
		var n atomic.Int64
		return func() map[string]any { return map[string]any{"q": qs[int(n.Add(1)-1)%len(qs)]} }
	}
	page := func(name, path string) step {
		return step{name: name, next: func(t *vegeta.Target) error {
			t.Method, t.URL, t.Header = http.MethodGet, e.c.base+path, e.header(false)
			return nil
		}}
	}
	s := map[string]step{
		"list":          gql("list", listQuery, nil),
		"list_count":    gql("list_count", countQuery, nil),
		"dashboard":     page("dashboard", "/"),
		"contacts_page": page("contacts_page", "/contacts"),
	}
	var vn atomic.Int64
	s["view"] = gql("view", viewQuery, func() map[string]any {
		return map[string]any{"id": e.ids[int(vn.Add(1)-1)%len(e.ids)]}
	})
	s["create"] = gql("create", createMutation, e.newContact())
	var mixed []string
	for _, sh := range searchShapes {
		s[sh.name] = gql(sh.name, searchQuery, cycle(sh.queries))
		mixed = append(mixed, sh.queries...)
	}
	phones := e.phoneQueries()
	s["search_phone"] = gql("search_phone", searchQuery, cycle(phones))
	mixed = append(mixed, phones[:min(4, len(phones))]...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(mixed), func(i, j int) { mixed[i], mixed[j] = mixed[j], mixed[i] })
	s["search_mixed"] = gql("search_mixed", searchQuery, cycle(mixed))
	return s
}

// newContact returns the inputs of the create step: a name of the
// distribution, and a phone and email no other run has used (a random
// base over the 0480–0489 ranges the bulk contacts leave alone), so every
// create pays for the duplicate check and passes it.
func (e *env) newContact() func() map[string]any {
	base := rand.IntN(8_000_000)
	nonce := fmt.Sprintf("%x", rand.Uint32())
	ranges := []int{0, 1, 2, 4, 5, 6, 7, 8, 9}[:8]
	var n atomic.Int64
	return func() map[string]any {
		i := int(n.Add(1))
		k := (base + i) % 8_000_000
		p := e.dist.personAt(e.seed+1, e.contacts+i)
		in := p.input()
		in["phone"] = fmt.Sprintf("048%d %03d %03d", ranges[k/1_000_000], k/1000%1000, k%1000)
		in["email"] = fmt.Sprintf("load.%s.%d@example.org", nonce, i)
		return map[string]any{"input": in}
	}
}

func (e *env) header(json bool) http.Header {
	h := http.Header{e.c.authKey: {e.c.authValue}}
	if json {
		h.Set("Content-Type", "application/json")
	}
	return h
}

// preflight sends each step's requests once, outside the measurement, and
// logs queries that fail or find nothing, so a table is never made of
// error pages.
func (e *env) preflight(ctx context.Context) error {
	var out struct{ Contacts struct{ Edges []struct{} } }
	if err := e.c.graphql(ctx, listQuery, nil, &out); err != nil {
		return fmt.Errorf("the list query fails: %w", err)
	}
	if len(out.Contacts.Edges) == 0 {
		log.Printf("warning: the list step finds no contacts (pipeline lead, warmness ≥ 20)")
	}
	for _, sh := range append(searchShapes, struct {
		name    string
		queries []string
	}{"search_phone", e.phoneQueries()}) {
		for _, q := range sh.queries {
			var out struct{ SearchContacts []struct{} }
			if err := e.c.graphql(ctx, searchQuery, map[string]any{"q": q}, &out); err != nil {
				return fmt.Errorf("search %q: %w", q, err)
			}
			if len(out.SearchContacts) == 0 {
				log.Printf("warning: %s: %q finds nothing", sh.name, q)
			}
		}
	}
	return nil
}

// fetchIDs lists up to n contact IDs for the view step.
func (e *env) fetchIDs(ctx context.Context, n int) ([]string, error) {
	var ids []string
	var after any
	for len(ids) < n {
		var out struct {
			Contacts struct {
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
				Edges []struct{ Node struct{ ID string } }
			}
		}
		if err := e.c.graphql(ctx, idsQuery, map[string]any{"after": after}, &out); err != nil {
			return nil, err
		}
		for _, ed := range out.Contacts.Edges {
			ids = append(ids, ed.Node.ID)
		}
		if !out.Contacts.PageInfo.HasNextPage {
			break
		}
		after = out.Contacts.PageInfo.EndCursor
	}
	return ids, nil
}

// row is one line of the table: a step at a number of clients.
type row struct {
	Step          string
	Clients       int
	Requests, OK  int
	Took          time.Duration
	P50, P95, P99 time.Duration
	Max           time.Duration
	Errors        int
	TopError      string
	ServerCPU     float64 // seconds
	RSS           int64
	HostBusy      float64 // % of all cores
	GenCPU        float64 // the load generator's CPU seconds
	Load          string
}

func (r row) okRate() float64 { return float64(r.OK) / r.Took.Seconds() }

func (r row) cpuPerReq() float64 {
	if r.Requests == 0 {
		return 0
	}
	return 1000 * r.ServerCPU / float64(r.Requests)
}

// run runs s with clients closed-loop clients (each sends its next request
// when the last one is answered) for dur.
func (e *env) run(s step, clients int, dur time.Duration) row {
	atk := vegeta.NewAttacker(
		vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(uint64(clients)),
		vegeta.Connections(clients), vegeta.MaxConnections(clients),
		vegeta.Timeout(e.timeout), vegeta.Redirects(vegeta.NoFollow), vegeta.KeepAlive(true),
	)
	r := row{Step: s.name, Clients: clients}
	lat := make([]time.Duration, 0, 4096)
	kinds := map[string]int{}
	cpu0 := e.serverCPU()
	busy0, total0 := hostCPU()
	gen0 := selfCPU()
	start := time.Now()
	// A rate of zero with a fixed number of workers: as fast as the
	// clients go.
	for res := range atk.Attack(s.next, vegeta.ConstantPacer{}, dur, s.name) {
		r.Requests++
		lat = append(lat, res.Latency)
		if k := failure(res, s.graphql); k != "" {
			r.Errors++
			kinds[k]++
			continue
		}
		r.OK++
	}
	r.Took = time.Since(start)
	r.ServerCPU = e.serverCPU() - cpu0
	r.GenCPU = selfCPU() - gen0
	busy1, total1 := hostCPU()
	if total1 > total0 {
		r.HostBusy = 100 * float64(busy1-busy0) / float64(total1-total0)
	}
	if e.pid > 0 {
		r.RSS, _, _ = procMem(e.pid)
	}
	r.Load = loadAvg()
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		i := int(float64(len(lat))*p+0.5) - 1
		return lat[max(0, min(i, len(lat)-1))]
	}
	r.P50, r.P95, r.P99 = pct(0.50), pct(0.95), pct(0.99)
	if len(lat) > 0 {
		r.Max = lat[len(lat)-1]
	}
	most := 0
	for k, n := range kinds {
		if n > most {
			most, r.TopError = n, k
		}
	}
	return r
}

// failure says why a result is an error ("" for none): a transport error,
// a status other than 200, or GraphQL errors inside a 200.
func failure(res *vegeta.Result, graphql bool) string {
	switch {
	case res.Code == 0:
		return "transport: " + res.Error
	case res.Code != http.StatusOK:
		return fmt.Sprintf("status %d", res.Code)
	case graphql && bytes.Contains(res.Body, []byte(`"errors":`)):
		var r gqlResponse
		if err := jsonUnmarshal(res.Body, &r); err != nil || len(r.Errors) == 0 {
			return "graphql: unreadable errors"
		}
		code, _ := r.Errors[0].Extensions["code"].(string)
		return fmt.Sprintf("graphql %s: %.80s", code, r.Errors[0].Message)
	}
	return ""
}

// selfCPU is the CPU seconds this process (the load generator) has used.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}
