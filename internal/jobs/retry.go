package jobs

import (
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// Backoff spaces the attempts of a failing job: the n-th retry waits
// Base·2^(n-1), at most Max, with "equal jitter" (a random half of the wait
// added to the other half), so jobs that failed together (a provider down)
// do not all come back at the same instant. River's own default grows as
// attempt⁴ without a cap; DESIGN.md asks for exponential.
type Backoff struct {
	// Base is the wait before the first retry (default 5 s).
	Base time.Duration
	// Max caps any one wait (default 1 h).
	Max time.Duration
	// now is River's clock, stubbed by tests.
	now func() time.Time
}

// Delay is the wait before retry number attempt (1 for the first retry),
// before jitter: Base·2^(attempt-1), at most Max.
func (b Backoff) Delay(attempt int) time.Duration {
	base, maxWait := b.Base, b.Max
	if base <= 0 {
		base = 5 * time.Second
	}
	if maxWait <= 0 {
		maxWait = time.Hour
	}
	d := base
	for i := 1; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	return min(d, maxWait)
}

// NextRetry implements river.ClientRetryPolicy.
func (b Backoff) NextRetry(job *rivertype.JobRow) time.Time {
	// job.Errors holds the errors of the attempts before the one that just
	// failed (as River's own policy counts them).
	d := b.Delay(len(job.Errors) + 1)
	half := d / 2
	wait := half + rand.N(d-half+1)
	now := time.Now
	if b.now != nil {
		now = b.now
	}
	return now().Add(wait)
}
