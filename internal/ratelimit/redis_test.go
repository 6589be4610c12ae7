package ratelimit_test

import (
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/avatarimaging/avatarcrm/internal/ratelimit"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// testRedisAddr is the real Redis the shared-counter tests run against.
const testRedisAddr = "127.0.0.1:6379"

// needRedis skips the test unless Redis answers at testRedisAddr, and
// returns a key prefix unique to this test whose keys are deleted when the
// test ends.
func needRedis(t *testing.T) (prefix string, rdb *redis.Client) {
	t.Helper()
	rdb = redis.NewClient(&redis.Options{Addr: testRedisAddr, MaxRetries: -1})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		testutil.SkipOrFail(t, "no Redis answering at %s (%v); start one to test shared counters", testRedisAddr, err)
	}
	prefix = "avatarcrm:test:" + t.Name() + ":" + strconv.FormatInt(time.Now().UnixNano(), 36)
	t.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+":*", 100).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			_ = rdb.Del(ctx, keys...).Err()
		}
		_ = rdb.Close()
	})
	return prefix, rdb
}

func redisKeys(t *testing.T, rdb *redis.Client, prefix string) []string {
	t.Helper()
	keys, err := rdb.Keys(context.Background(), prefix+":*").Result()
	if err != nil {
		t.Fatalf("KEYS: %v", err)
	}
	return keys
}

func redisConfig(prefix, url string) (ratelimit.Config, *lockedBuffer) {
	cfg, logs := memConfig()
	cfg.RedisURL = url
	cfg.RedisKeyPrefix = prefix
	return cfg, logs
}

// TestRedisSharesBudgetAcrossInstances runs two Limiters, as two app
// instances would, against one Redis: their requests draw on one budget.
func TestRedisSharesBudgetAcrossInstances(t *testing.T) {
	prefix, rdb := needRedis(t)
	lim := ratelimit.Limit{Requests: 5, Window: time.Minute}

	cfgA, _ := redisConfig(prefix, "redis://"+testRedisAddr+"/0")
	cfgB, _ := redisConfig(prefix, "redis://"+testRedisAddr+"/0")
	a, b := newLimiter(t, cfgA), newLimiter(t, cfgB)
	if !a.Shared() || !b.Shared() {
		t.Fatal("Redis-backed limiter does not report shared counters")
	}
	srvA := serve(t, a.PerIP("graphql_ip", lim))
	srvB := serve(t, b.PerIP("graphql_ip", lim))
	ip := []string{testIPHeader, "203.0.113.9"}

	mustPass(t, 3, srvA, "/graphql", ip...)
	mustPass(t, 2, srvB, "/graphql", ip...)
	r := mustRefuse(t, srvB, "/graphql", ip...) // the 6th request overall
	retryAfter(t, r, lim)
	decodeGQLErrors(t, r)
	mustRefuse(t, srvA, "/graphql", ip...)

	// Another IP, and another named limit, start from zero.
	mustPass(t, 1, srvA, "/graphql", testIPHeader, "203.0.113.10")
	other := serve(t, a.PerIP("webhook_ip", lim))
	mustPass(t, 1, other, "/webhooks/x", ip...)

	keys := redisKeys(t, rdb, prefix)
	var graphql, webhook int
	for _, k := range keys {
		switch {
		case strings.HasPrefix(k, prefix+":graphql_ip:"):
			graphql++
		case strings.HasPrefix(k, prefix+":webhook_ip:"):
			webhook++
		}
	}
	if graphql == 0 || webhook == 0 {
		t.Fatalf("want counters under %s:graphql_ip and %s:webhook_ip, got %v", prefix, prefix, keys)
	}
}

// TestRedisOutageFallsBackToMemory cuts the connection to Redis under a
// running limiter: requests keep being answered and limited, per instance,
// and the shared counters come back when Redis does.
func TestRedisOutageFallsBackToMemory(t *testing.T) {
	prefix, rdb := needRedis(t)
	proxy := startProxy(t, "127.0.0.1:0", testRedisAddr)

	cfg, logs := redisConfig(prefix, "redis://"+proxy.addr+"/0")
	l := newLimiter(t, cfg)
	lim := ratelimit.Limit{Requests: 3, Window: time.Minute}
	srv := serve(t, l.PerIP("signin", lim))
	ip := []string{testIPHeader, "192.0.2.33"}

	mustPass(t, 1, srv, "/auth/dev", ip...)
	if len(redisKeys(t, rdb, prefix)) == 0 {
		t.Fatal("no counter in Redis before the outage")
	}

	proxy.stop()
	start := time.Now()
	// The local fallback counter starts from zero, so a full budget passes
	// in this instance before it refuses.
	mustPass(t, lim.Requests, srv, "/auth/dev", ip...)
	mustRefuse(t, srv, "/auth/dev", ip...)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("requests during the outage took %s; the fallback should kick in within the 250 ms read timeout", took)
	}
	if out := logs.String(); !strings.Contains(out, "redis unavailable") {
		t.Errorf("no warning about the outage in the log:\n%s", out)
	}

	// Redis comes back: httprate-redis PINGs every 200 ms and switches back.
	proxy.restart(t)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "redis answers again") {
		if time.Now().After(deadline) {
			t.Fatalf("limiter did not switch back to Redis:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Back on the shared counter, which saw only the first request.
	mustPass(t, lim.Requests-1, srv, "/auth/dev", ip...)
	mustRefuse(t, srv, "/auth/dev", ip...)
}

func TestNewReportsBadRedis(t *testing.T) {
	const secret = "s3cr3t-pa55"

	// Accepts connections and never answers, like a wedged server or a
	// firewall that lets the SYN through.
	mute, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mute.Close() })
	go func() {
		for {
			c, err := mute.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()

	cases := []struct {
		name, url, want string
	}{
		{"wrong scheme", "http://127.0.0.1:6379", "invalid RedisURL"},
		{"no scheme", "127.0.0.1:6379", "invalid RedisURL"},
		{"unparsable", "redis://:" + secret + "@[::1", "invalid RedisURL"},
		{"bad db", "redis://127.0.0.1:6379/x", "invalid RedisURL"},
		{"nothing listening", "redis://:" + secret + "@127.0.0.1:1/0", "did not answer PING"},
		{"never answers", "redis://:" + secret + "@" + mute.Addr().String() + "/0", "did not answer PING"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := memConfig()
			cfg.RedisURL = tc.url
			start := time.Now()
			l, err := ratelimit.New(cfg)
			if err == nil {
				_ = l.Close()
				t.Fatalf("New(%q) succeeded, want an error", tc.url)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not contain %q", msg, tc.want)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("error leaks the password: %q", msg)
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("New took %s; the start-up check should give up quickly", took)
			}
			t.Logf("New(%q): %v", tc.url, err)
		})
	}
}

// tcpProxy forwards TCP to a target and can be cut and restored, to
// simulate Redis going away without touching the real server.
type tcpProxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        []net.Conn
}

func startProxy(t *testing.T, addr, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{target: target}
	p.listen(t, addr)
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) listen(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(u, c); _ = u.Close() }()
			go func() { _, _ = io.Copy(c, u); _ = c.Close() }()
		}
	}()
}

// stop refuses new connections and cuts the open ones.
func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// restart listens again on the same address.
func (p *tcpProxy) restart(t *testing.T) {
	t.Helper()
	p.listen(t, p.addr)
}

// TestRedisClosedLimiterStillServes checks the shutdown order does not
// matter: after Close the middleware falls back to memory instead of failing
// requests that are still draining.
func TestRedisClosedLimiterStillServes(t *testing.T) {
	prefix, _ := needRedis(t)
	cfg, _ := redisConfig(prefix, "redis://"+testRedisAddr+"/0")
	l := newLimiter(t, cfg)
	srv := serve(t, l.PerIP("signin", ratelimit.Limit{Requests: 2, Window: time.Minute}))
	ip := []string{testIPHeader, "192.0.2.44"}

	mustPass(t, 1, srv, "/auth/dev", ip...)
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	mustPass(t, 2, srv, "/auth/dev", ip...)
	mustRefuse(t, srv, "/auth/dev", ip...)
}
