package jobs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/avatarimaging/avatarcrm/internal/jobs"
)

func TestBackoff_Delay(t *testing.T) {
	b := jobs.Backoff{Base: time.Second, Max: 30 * time.Second}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
	for i, w := range want {
		if got := b.Delay(i + 1); got != w {
			t.Errorf("Delay(%d) = %s, want %s", i+1, got, w)
		}
	}
	if got := (jobs.Backoff{}).Delay(1); got != 5*time.Second {
		t.Errorf("default first delay = %s, want 5s", got)
	}
	if got := (jobs.Backoff{}).Delay(100); got != time.Hour {
		t.Errorf("default cap = %s, want 1h", got)
	}
}

// NextRetry waits between half and all of the delay, and the waits spread.
func TestBackoff_NextRetry_Jitter(t *testing.T) {
	b := jobs.Backoff{Base: 8 * time.Second, Max: time.Hour}
	job := &rivertype.JobRow{Errors: make([]rivertype.AttemptError, 2)} // third failure: 32 s
	seen := map[time.Duration]bool{}
	for range 200 {
		start := time.Now()
		wait := b.NextRetry(job).Sub(start)
		if wait < 16*time.Second-time.Millisecond || wait > 32*time.Second+time.Second {
			t.Fatalf("wait %s outside [16s, 32s]", wait)
		}
		seen[wait.Round(time.Second)] = true
	}
	if len(seen) < 5 {
		t.Fatalf("200 waits took only %d distinct values: no jitter", len(seen))
	}
}

// A job that keeps failing is retried with growing waits, then
// dead-lettered (discarded) with every attempt's error; retried from the
// admin API once the cause is fixed, it completes.
func TestQueue_RetryThenDeadLetterThenRetryFromAPI(t *testing.T) {
	for _, dbc := range databases() {
		t.Run(dbc.name, func(t *testing.T) {
			d := dbc.open(t)
			p := newProbe()
			p.setFailing(true)
			base := 200 * time.Millisecond
			q := newQueue(t, d, p, jobs.Config{Workers: 2, MaxAttempts: 3, Backoff: jobs.Backoff{Base: base, Max: time.Minute}, PollInterval: 50 * time.Millisecond})
			ctx := system()
			res, err := q.EnqueueAlone(ctx, probeArgs{Key: "flaky", Phone: "+61412345678"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			j := waitState(t, q, res.ID, 20*time.Second, jobs.StateDiscarded)
			if j.Attempt != 3 || len(j.Errors) != 3 {
				t.Fatalf("dead letter after %d attempts with %d errors, want 3 and 3: %+v", j.Attempt, len(j.Errors), j.Errors)
			}
			for i, e := range j.Errors {
				if !strings.Contains(e.Error, "provider down") || e.Attempt != i+1 {
					t.Errorf("error %d = %+v, want the worker's error of attempt %d", i, e, i+1)
				}
			}
			// Equal jitter: retry n waits at least half of base·2^(n-1).
			for i := 1; i < len(j.Errors); i++ {
				gap := j.Errors[i].At.Sub(j.Errors[i-1].At)
				if least := (base << (i - 1)) / 2; gap < least {
					t.Errorf("attempt %d came %s after attempt %d, want at least %s", i+1, gap, i, least)
				}
			}

			// The dead-letter list shows it, PHI redacted.
			page, err := q.List(ctx, jobs.ListParams{States: []jobs.State{jobs.StateDiscarded}})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Jobs) != 1 || page.Jobs[0].ID != res.ID {
				t.Fatalf("dead letters = %+v, want job %d", page.Jobs, res.ID)
			}
			args := string(page.Jobs[0].Args)
			if strings.Contains(args, "412345678") || !strings.Contains(args, `"phone":"[redacted]"`) || !strings.Contains(args, `"key":"flaky"`) {
				t.Fatalf("dead letter args = %s, want the phone redacted and the key shown", args)
			}

			p.setFailing(false)
			if _, err := q.Retry(ctx, res.ID); err != nil {
				t.Fatalf("retry: %v", err)
			}
			j = waitState(t, q, res.ID, 10*time.Second, jobs.StateCompleted)
			if j.Attempt != 4 || p.count("flaky") != 1 {
				t.Fatalf("after the retry: attempt %d, ran %d times; want 4 and once", j.Attempt, p.count("flaky"))
			}
		})
	}
}
