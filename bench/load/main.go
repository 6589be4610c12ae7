// Command load measures a running Avatar Imaging CRM server through its
// public HTTP surface only (GraphQL and the staff pages), so it keeps
// working whatever happens inside the server. It can fill the server with
// generated contacts (createContact, or the CSV import), then runs a fixed
// plan of requests at several numbers of concurrent clients with vegeta and
// prints a table: throughput, latency percentiles, errors (GraphQL errors
// inside HTTP 200 included), the server's CPU per request and its memory.
// See docs/PERFORMANCE.md; run it with bench/load.sh.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// env is what every phase shares.
type env struct {
	c        *client
	dist     distribution
	seed     uint64
	contacts int
	pid      int
	dataDir  string
	timeout  time.Duration
	ids      []string
}

func (e *env) serverCPU() float64 {
	if e.pid <= 0 {
		return 0
	}
	s, err := procCPU(e.pid)
	if err != nil {
		log.Printf("server CPU: %v", err)
		return 0
	}
	return s
}

func main() {
	var (
		base       = flag.String("url", "http://127.0.0.1:8080", "base URL of the running server")
		email      = flag.String("email", "staff@example.com", "user to sign in as through the development sign-in (POST /auth/dev)")
		token      = flag.String("token", "", "API token to use instead of the development sign-in (avatarcrm apikey create …)")
		pid        = flag.Int("pid", 0, "PID of the server process, for its CPU and memory (0: the process listening on the URL's port)")
		dataDir    = flag.String("data-dir", "", "directory of the server's SQLite file, to report the database size (main file + WAL)")
		distName   = flag.String("dist", "realistic", "name distribution: realistic (Australian names, Zipf-like, with a long tail) or worst (20 first x 20 last names)")
		seed       = flag.Uint64("seed", 1, "seed of the generated contacts")
		contacts   = flag.Int("contacts", 100_000, "contacts in the data set (the plan's phone searches pick among them)")
		loadRoad   = flag.String("load", "none", "fill the server first: api (createContact, concurrently), import (CSV through startContactImport) or none (already loaded)")
		loadFrom   = flag.Int("load-from", 0, "index of the first contact to load (to resume or extend a data set)")
		loadConc   = flag.Int("load-clients", 32, "concurrent createContact requests with -load api")
		chunk      = flag.Int("import-chunk", 50_000, "rows per CSV file with -load import (the import takes at most 50,000 rows and 20 MiB)")
		clientsArg = flag.String("clients", "1,50,500", "numbers of concurrent clients, comma-separated")
		duration   = flag.Duration("duration", 10*time.Second, "how long each step runs at each number of clients")
		pause      = flag.Duration("pause", time.Second, "pause between steps")
		stepsArg   = flag.String("steps", "all", "steps to run, comma-separated, or all: "+strings.Join(stepNames, ","))
		timeout    = flag.Duration("timeout", 30*time.Second, "timeout of one request (a request over it counts as an error)")
		jsonOut    = flag.String("json", "", "also write the results as JSON to this file")
		label      = flag.String("label", "", "label for the results (e.g. the commit measured)")
		check      = flag.Bool("check", true, "send every query of the plan once before measuring, and warn about those that find nothing")
	)
	flag.Parse()
	log.SetFlags(log.Ltime)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()

	dist, err := distributionNamed(*distName)
	if err != nil {
		log.Fatal(err)
	}
	clients, err := parseClients(*clientsArg)
	if err != nil {
		log.Fatal(err)
	}
	maxClients := slices.Max(append(clients, *loadConc))
	e := &env{c: newClient(*base, maxClients), dist: dist, seed: *seed, contacts: *contacts, pid: *pid, dataDir: *dataDir, timeout: *timeout}
	if e.pid == 0 {
		if e.pid, err = pidListening(*base); err != nil {
			log.Printf("no server CPU or memory figures: %v", err)
		}
	}
	if err := e.c.signIn(ctx, *email, *token); err != nil {
		log.Fatal(err)
	}
	rep := report{Label: *label, URL: *base, Dist: dist.name, Seed: *seed, Contacts: *contacts, Duration: *duration,
		Started: time.Now().UTC(), Host: hostInfo(), PID: e.pid}
	rep.Before = e.snapshot()
	log.Printf("server pid %d: %s", e.pid, rep.Before)

	switch *loadRoad {
	case "none":
	case "api":
		res, ids := e.loadAPI(ctx, *loadFrom, *contacts, *loadConc)
		log.Print(res)
		rep.Load = &res
		e.ids = ids
	case "import":
		res := e.loadImport(ctx, *loadFrom, *contacts, *chunk)
		log.Print(res)
		rep.Load = &res
	default:
		log.Fatalf("-load %q: want api, import or none", *loadRoad)
	}
	if ctx.Err() != nil {
		return
	}
	rep.Loaded = e.snapshot()

	names := stepNames
	if *stepsArg != "all" && *stepsArg != "" {
		names = strings.Split(*stepsArg, ",")
	}
	if len(names) > 0 && *stepsArg != "none" {
		if len(e.ids) < 1000 && slices.Contains(names, "view") {
			if e.ids, err = e.fetchIDs(ctx, 1000); err != nil || len(e.ids) == 0 {
				log.Fatalf("contact IDs for the view step: %v (%d)", err, len(e.ids))
			}
		}
		if *check {
			if err := e.preflight(ctx); err != nil {
				log.Fatal(err)
			}
		}
		log.Printf("plan: %s at %v clients, %s each", strings.Join(names, ","), clients, *duration)
		steps := e.steps()
		for _, n := range names {
			if _, ok := steps[n]; !ok {
				log.Fatalf("unknown step %q: want %s", n, strings.Join(stepNames, ","))
			}
		}
		for _, c := range clients {
			for _, n := range names {
				if ctx.Err() != nil {
					break
				}
				r := e.run(steps[n], c, *duration)
				log.Printf("%-14s %4d clients: %6d requests, %7.1f ok/s, p50 %s p95 %s p99 %s, %d errors %s, server %.2f ms CPU/req, RSS %s, host busy %.0f%%, load %s",
					r.Step, r.Clients, r.Requests, r.okRate(), ms(r.P50), ms(r.P95), ms(r.P99), r.Errors, r.TopError,
					r.cpuPerReq(), mb(r.RSS), r.HostBusy, r.Load)
				rep.Rows = append(rep.Rows, r)
				time.Sleep(*pause)
			}
		}
	}
	rep.After = e.snapshot()
	rep.Finished = time.Now().UTC()
	rep.print(os.Stdout, names)
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

func parseClients(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-clients %q: want positive numbers separated by commas", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// snapshot is the server's memory and the database's size at one moment.
type snapshot struct {
	RSS, Peak int64
	DB, WAL   int64
	Load      string
}

func (e *env) snapshot() snapshot {
	s := snapshot{Load: loadAvg()}
	if e.pid > 0 {
		s.RSS, s.Peak, _ = procMem(e.pid)
	}
	if e.dataDir != "" {
		var err error
		if s.DB, s.WAL, err = dbSize(e.dataDir); err != nil {
			log.Printf("database size: %v", err)
		}
	}
	return s
}

func (s snapshot) String() string {
	out := fmt.Sprintf("RSS %s (peak %s)", mb(s.RSS), mb(s.Peak))
	if s.DB > 0 {
		out += fmt.Sprintf(", database %s + WAL %s", mb(s.DB), mb(s.WAL))
	}
	return out + ", load average " + s.Load
}

func hostInfo() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	h, _ := os.Hostname()
	return fmt.Sprintf("%s, %d CPUs (%s), %s", h, runtime.NumCPU(), model, runtime.Version())
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', msDigits(d), 64) }

func msDigits(d time.Duration) int {
	switch {
	case d < 10*time.Millisecond:
		return 2
	case d < 100*time.Millisecond:
		return 1
	}
	return 0
}

func mb(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
