package procmem

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// rssFile is the process's resident file pages in kB (/proc/self/status).
func rssFile(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "RssFile:"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	t.Skip("no RssFile")
	return 0
}

// TestDropExecutablePages drops the test binary's code and read-only data
// from its page tables and keeps running: code, type data and stack
// traces are mapped again on use, and the resident file pages went down.
func TestDropExecutablePages(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("linux only")
	}
	before := rssFile(t)
	n, err := DropExecutablePages()
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Skip("a position-independent test binary: nothing to drop")
	}
	after := rssFile(t)
	t.Logf("RssFile %d kB before, %d kB after dropping %d MiB", before, after, n>>20)
	if after >= before {
		t.Errorf("RssFile %d kB before, %d kB after dropping %d bytes: want fewer", before, after, n)
	}
	// The program still works: a map, fmt via strconv, a stack trace
	// (the function table read again).
	m := map[string]int{}
	for i := range 1000 {
		m[strconv.Itoa(i)] = i
	}
	buf := make([]byte, 4096)
	if s := string(buf[:runtime.Stack(buf, false)]); !strings.Contains(s, "TestDropExecutablePages") || m["999"] != 999 {
		t.Fatalf("after the drop: stack %q, map %d", s, m["999"])
	}
	if _, err := DropExecutablePages(); err != nil {
		t.Fatalf("a second drop: %v", err)
	}
}
