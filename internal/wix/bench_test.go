package wix_test

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkWebhookAck measures the acknowledgement of /hooks/wix: signed
// Wix booking events (each a new event id) at a steady 50 requests a
// second against the whole server on SQLite (verify, store the event and
// its job in one transaction, answer), for AVATARCRM_BENCH_ACK_SECONDS
// (default 60) seconds; the workers process the events meanwhile. It
// reports p50 and p99 of the time from sending to the answer
// (AVATARCRM_BENCH_ACK_WORKERS=0: with no job workers, the
// acknowledgement alone). One run:
//
//	go test ./internal/wix -run '^$' -bench BenchmarkWebhookAck -benchtime 1x
func BenchmarkWebhookAck(b *testing.B) {
	secs := 60
	if s, err := strconv.Atoi(os.Getenv("AVATARCRM_BENCH_ACK_SECONDS")); err == nil && s > 0 {
		secs = s
	}
	env := map[string]string{"AVATARCRM_LOG_LEVEL": "error"}
	// AVATARCRM_BENCH_ACK_WORKERS=0 measures the acknowledgement alone,
	// with nothing processing the events meanwhile.
	if n := os.Getenv("AVATARCRM_BENCH_ACK_WORKERS"); n != "" {
		env["AVATARCRM_JOBS_WORKERS"] = n
	}
	w := newWorld(b, env)
	w.mapService()
	const rate = 50
	n := secs * rate
	// Tokens are signed before the clock starts: signing is the sender's cost.
	toks := make([]string, n)
	for i := range toks {
		id := fmt.Sprintf("bench-%d", i)
		toks[i] = w.token(w.event("booking_created.json", "wix.bookings.v2.booking_created", "evt-"+id, func(s string) string {
			return strings.ReplaceAll(s, "b7d1c2e3-4f50-4a6b-8c7d-9e0f1a2b3c4d", id)
		}), far().Add(time.Duration(secs)*time.Second))
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}, Timeout: 30 * time.Second}
	b.ResetTimer()
	for range b.N {
		lat := make([]time.Duration, n)
		var wg sync.WaitGroup
		var mu sync.Mutex
		fails := 0
		tick := time.NewTicker(time.Second / rate)
		for i := 0; i < n; i++ {
			<-tick.C
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				start := time.Now()
				req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/hooks/wix", strings.NewReader(toks[i]))
				req.Header.Set("Content-Type", "text/plain")
				resp, err := client.Do(req)
				lat[i] = time.Since(start)
				if err != nil || resp.StatusCode != http.StatusOK {
					mu.Lock()
					fails++
					mu.Unlock()
				}
				if resp != nil {
					resp.Body.Close()
				}
			}(i)
		}
		tick.Stop()
		wg.Wait()
		if fails > 0 {
			b.Errorf("%d of %d requests failed", fails, n)
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[n/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[n*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(lat[n-1].Microseconds())/1000, "max-ms")
		b.ReportMetric(float64(n), "requests")
	}
	// A benchmark with several iterations would repeat event ids; one is
	// the measurement.
	if b.N > 1 {
		b.Log("run with -benchtime 1x: later iterations repeat event ids (acknowledged as duplicates)")
	}
}
