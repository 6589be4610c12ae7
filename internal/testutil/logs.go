package testutil

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// Logs is what the application logged (through slog's default logger)
// while a test ran, at info level and above.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// CaptureLogs records what is logged from now until the test ends, and
// still passes it on to the previous logger. Call it before StartServer:
// parts of the application keep the logger they were built with.
func CaptureLogs(tb testing.TB) *Logs {
	tb.Helper()
	quietLogs()
	l := &Logs{}
	prev := slog.Default()
	capture := slog.NewTextHandler(&lockedWriter{l: l}, &slog.HandlerOptions{Level: slog.LevelInfo})
	slog.SetDefault(slog.New(tee{capture, prev.Handler()}))
	tb.Cleanup(func() { slog.SetDefault(prev) })
	return l
}

// String returns everything captured so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Reset forgets what was captured so far (a fuzz target checks each input
// on its own, without the log growing).
func (l *Logs) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Reset()
}

// Contains reports whether the captured log holds s.
func (l *Logs) Contains(s string) bool { return strings.Contains(l.String(), s) }

type lockedWriter struct{ l *Logs }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	return w.l.buf.Write(p)
}

// tee sends every record to both handlers, each with its own level.
type tee [2]slog.Handler

func (t tee) Enabled(ctx context.Context, lvl slog.Level) bool {
	return t[0].Enabled(ctx, lvl) || t[1].Enabled(ctx, lvl)
}

func (t tee) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			if err := h.Handle(ctx, r.Clone()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t tee) WithAttrs(as []slog.Attr) slog.Handler {
	return tee{t[0].WithAttrs(as), t[1].WithAttrs(as)}
}

func (t tee) WithGroup(name string) slog.Handler {
	return tee{t[0].WithGroup(name), t[1].WithGroup(name)}
}
