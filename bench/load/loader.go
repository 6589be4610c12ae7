package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log"
	"sync"
	"sync/atomic"
	"time"
)

// loadResult is what a bulk load cost.
type loadResult struct {
	Road                 string
	Rows, Done, Dups     int
	Invalid, Errors      int
	Took                 time.Duration
	ServerCPU            float64 // seconds
	RSSAfter, PeakAfter  int64
	DBAfter, WALAfter    int64
	FirstError           string
	Load1Before, Load1At string
}

func (r loadResult) rate() float64 { return float64(r.Done) / r.Took.Seconds() }

func (r loadResult) String() string {
	s := fmt.Sprintf("%s: %d rows in %s = %.0f rows/s; imported %d, duplicates %d, invalid %d, errors %d",
		r.Road, r.Rows, r.Took.Round(100*time.Millisecond), r.rate(), r.Done, r.Dups, r.Invalid, r.Errors)
	if r.ServerCPU > 0 && r.Done > 0 {
		s += fmt.Sprintf("; server CPU %.1f s (%.2f ms a row)", r.ServerCPU, 1000*r.ServerCPU/float64(r.Done))
	}
	if r.RSSAfter > 0 {
		s += fmt.Sprintf("; RSS after %s (peak %s)", mb(r.RSSAfter), mb(r.PeakAfter))
	}
	if r.DBAfter > 0 {
		s += fmt.Sprintf("; database %s + WAL %s", mb(r.DBAfter), mb(r.WALAfter))
	}
	s += fmt.Sprintf("; load average before %s, at the end %s", r.Load1Before, r.Load1At)
	if r.FirstError != "" {
		s += "; first error: " + r.FirstError
	}
	return s
}

const createMutation = `mutation Load($input: CreateContactInput!) { createContact(input: $input) { id } }`

// loadAPI creates contacts from..to-1 of the distribution with createContact,
// workers at a time, and returns the IDs of the first ones (for the plan's
// view step).
func (e *env) loadAPI(ctx context.Context, from, to, workers int) (loadResult, []string) {
	res := loadResult{Road: fmt.Sprintf("createContact x%d", workers), Rows: to - from, Load1Before: loadAvg()}
	var next atomic.Int64
	next.Store(int64(from))
	var done, dups, errs atomic.Int64
	var mu sync.Mutex
	var ids []string
	cpu0 := e.serverCPU()
	start := time.Now()
	stop := e.progress("created", func() int64 { return done.Load() + dups.Load() + errs.Load() }, int64(to-from))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= to || ctx.Err() != nil {
					return
				}
				var out struct{ CreateContact struct{ ID string } }
				err := e.c.graphql(ctx, createMutation, map[string]any{"input": e.dist.personAt(e.seed, i).input()}, &out)
				switch {
				case err == nil:
					done.Add(1)
					mu.Lock()
					if len(ids) < 2000 {
						ids = append(ids, out.CreateContact.ID)
					}
					mu.Unlock()
				case codeOf(err) == "CONFLICT":
					dups.Add(1) // loaded before: the same phone or email
				default:
					if errs.Add(1) == 1 {
						mu.Lock()
						res.FirstError = err.Error()
						mu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	stop()
	res.Took = time.Since(start)
	res.Done, res.Dups, res.Errors = int(done.Load()), int(dups.Load()), int(errs.Load())
	res.ServerCPU = e.serverCPU() - cpu0
	e.after(&res)
	return res, ids
}

const (
	startImport = `mutation Import($file: Upload!) { startContactImport(file: $file) { id totalRows } }`
	importJob   = `query Job($id: ID!) { importJob(id: $id) { status processed imported duplicates invalid error } }`
)

// loadImport imports contacts from..to-1 as CSV files of chunk rows through
// startContactImport (GraphQL multipart), then waits for every job: the
// server imports them one after the other in the background.
func (e *env) loadImport(ctx context.Context, from, to, chunk int) loadResult {
	res := loadResult{Road: fmt.Sprintf("CSV import, files of %d rows", chunk), Rows: to - from, Load1Before: loadAvg()}
	type job struct {
		id   string
		rows int
	}
	var jobs []job
	cpu0 := e.serverCPU()
	start := time.Now()
	for lo := from; lo < to; lo += chunk {
		hi := min(lo+chunk, to)
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.Write(csvHeader)
		for i := lo; i < hi; i++ {
			_ = w.Write(e.dist.personAt(e.seed, i).csvRecord())
		}
		w.Flush()
		var out struct {
			StartContactImport struct {
				ID        string
				TotalRows int
			}
		}
		name := fmt.Sprintf("load-%s-%d-%d.csv", e.dist.name, lo, hi)
		if err := e.c.upload(ctx, startImport, name, buf.Bytes(), &out); err != nil {
			res.Errors += hi - lo
			if res.FirstError == "" {
				res.FirstError = err.Error()
			}
			continue
		}
		jobs = append(jobs, job{out.StartContactImport.ID, hi - lo})
		log.Printf("import: %s (%d rows, %s) is job %s", name, hi-lo, mb(int64(buf.Len())), out.StartContactImport.ID)
	}
	var processed atomic.Int64
	stop := e.progress("imported", processed.Load, int64(to-from))
	var before int64
	for _, j := range jobs {
		for {
			var out struct {
				ImportJob struct {
					Status                                   string
					Processed, Imported, Duplicates, Invalid int
					Error                                    string
				}
			}
			err := e.c.graphql(ctx, importJob, map[string]any{"id": j.id}, &out)
			if err != nil {
				res.FirstError = err.Error()
				res.Errors += j.rows
				break
			}
			st := out.ImportJob
			processed.Store(before + int64(st.Processed))
			if st.Status == "done" || st.Status == "failed" {
				res.Done += st.Imported
				res.Dups += st.Duplicates
				res.Invalid += st.Invalid
				if st.Status == "failed" {
					res.Errors += j.rows - st.Processed
					if res.FirstError == "" {
						res.FirstError = "job " + j.id + " failed: " + st.Error
					}
				}
				break
			}
			if ctx.Err() != nil {
				return res
			}
			time.Sleep(500 * time.Millisecond)
		}
		before += int64(j.rows)
	}
	stop()
	res.Took = time.Since(start)
	res.ServerCPU = e.serverCPU() - cpu0
	e.after(&res)
	return res
}

// after records the server's memory, the database's size and the machine's
// load once a load is done.
func (e *env) after(r *loadResult) {
	r.Load1At = loadAvg()
	if e.pid > 0 {
		r.RSSAfter, r.PeakAfter, _ = procMem(e.pid)
	}
	if e.dataDir != "" {
		r.DBAfter, r.WALAfter, _ = dbSize(e.dataDir)
	}
}

// progress logs count() of total every 15 seconds until the returned stop
// is called.
func (e *env) progress(what string, count func() int64, total int64) (stop func()) {
	done := make(chan struct{})
	start := time.Now()
	go func() {
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				n := count()
				log.Printf("%s %d of %d (%.0f/s), load average %s", what, n, total, float64(n)/time.Since(start).Seconds(), loadAvg())
			}
		}
	}()
	return func() { close(done) }
}
