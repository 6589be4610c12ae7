package admit_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/admit"
)

// waitFor polls cond until it holds or a generous deadline passes: the
// tests wait for goroutines to reach the queue, they do not time anything.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// blocking is a handler that holds its slot until release is closed.
type blocking struct {
	release chan struct{}
	mu      sync.Mutex
	ran     []string
}

func (b *blocking) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	b.ran = append(b.ran, r.URL.Path)
	b.mu.Unlock()
	<-b.release
	_, _ = w.Write([]byte("done"))
}

func (b *blocking) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.ran)
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestTheRequestOverTheLimitWaitsForATurn(t *testing.T) {
	l := admit.New(2, time.Hour)
	b := &blocking{release: make(chan struct{})}
	h := l.Middleware(b)

	results := make(chan *httptest.ResponseRecorder, 3)
	for _, p := range []string{"/a", "/b"} {
		go func() { results <- serve(h, httptest.NewRequest("GET", p, nil)) }()
	}
	waitFor(t, "two requests running", func() bool { return b.count() == 2 })
	go func() { results <- serve(h, httptest.NewRequest("GET", "/c", nil)) }()
	waitFor(t, "the third to queue", func() bool { return l.Waiting() == 1 })
	if got := b.count(); got != 2 {
		t.Fatalf("%d requests ran with a limit of 2", got)
	}

	close(b.release) // the running ones finish; the queued one gets a turn
	for range 3 {
		if w := <-results; w.Code != http.StatusOK || w.Body.String() != "done" {
			t.Fatalf("status %d body %q, want 200 done", w.Code, w.Body.String())
		}
	}
	if got := b.count(); got != 3 {
		t.Fatalf("%d requests ran, want 3", got)
	}
	if l.InFlight() != 0 || l.Waiting() != 0 || l.Served() != 3 {
		t.Fatalf("after: in flight %d, waiting %d, served %d", l.InFlight(), l.Waiting(), l.Served())
	}
}

func TestAClientThatGivesUpLeavesTheQueue(t *testing.T) {
	l := admit.New(1, time.Hour)
	b := &blocking{release: make(chan struct{})}
	h := l.Middleware(b)

	first := make(chan *httptest.ResponseRecorder, 1)
	go func() { first <- serve(h, httptest.NewRequest("GET", "/first", nil)) }()
	waitFor(t, "the first to run", func() bool { return b.count() == 1 })

	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		gone <- serve(h, httptest.NewRequest("GET", "/gone", nil).WithContext(ctx))
	}()
	waitFor(t, "the second to queue", func() bool { return l.Waiting() == 1 })
	cancel()
	w := <-gone
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("cancelled waiter: status %d, want 503", w.Code)
	}
	if l.Waiting() != 0 {
		t.Fatalf("%d still waiting after the client gave up", l.Waiting())
	}

	// The slot the cancelled request would have had goes to the next one.
	next := make(chan *httptest.ResponseRecorder, 1)
	go func() { next <- serve(h, httptest.NewRequest("GET", "/next", nil)) }()
	waitFor(t, "the next to queue", func() bool { return l.Waiting() == 1 })
	close(b.release)
	if w := <-first; w.Code != http.StatusOK {
		t.Fatalf("first: %d", w.Code)
	}
	if w := <-next; w.Code != http.StatusOK {
		t.Fatalf("next: %d", w.Code)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.ran {
		if p == "/gone" {
			t.Fatalf("the cancelled request ran: %v", b.ran)
		}
	}
}

func TestAWaitPastTheLimitIs503WithRetryAfter(t *testing.T) {
	l := admit.New(1, 100*time.Millisecond)
	b := &blocking{release: make(chan struct{})}
	defer close(b.release)
	h := l.Middleware(b)
	go serve(h, httptest.NewRequest("GET", "/held", nil))
	waitFor(t, "the first to run", func() bool { return b.count() == 1 })

	w := serve(h, httptest.NewRequest("GET", "/late", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", w.Code)
	}
	if w.Header().Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q, want 1", w.Header().Get("Retry-After"))
	}
	if body := w.Body.String(); body == "" {
		t.Fatal("empty body: the client is not told why")
	}
	if got := b.count(); got != 1 {
		t.Fatalf("%d requests ran, want only the first", got)
	}
}

func TestBusyWriterIsUsed(t *testing.T) {
	l := admit.New(1, 50*time.Millisecond)
	l.Busy = func(w http.ResponseWriter, _ *http.Request, retry time.Duration) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("custom " + retry.String()))
	}
	release, err := l.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, err := l.Acquire(context.Background()); !errors.Is(err, admit.ErrBusy) {
		t.Fatalf("Acquire over the limit: %v, want ErrBusy", err)
	}
	w := serve(l.Middleware(http.NotFoundHandler()), httptest.NewRequest("GET", "/", nil))
	if w.Code != http.StatusServiceUnavailable || w.Body.String() != "custom 1s" {
		t.Fatalf("status %d body %q", w.Code, w.Body.String())
	}
}

func TestDefaultLimitFollowsTheCores(t *testing.T) {
	if got := admit.New(0, 0).Limit(); got != admit.DefaultLimit() || got < admit.DefaultPerCPU {
		t.Fatalf("default limit %d, want %d", got, admit.DefaultLimit())
	}
}
