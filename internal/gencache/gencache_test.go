package gencache

import (
	"testing"
	"time"
)

func TestMap_UsesOnlyFreshEntriesOfTheCurrentGeneration(t *testing.T) {
	var g Gen
	var m Map[string, int]
	if _, ok := m.Get("a", g.Load(), time.Minute); ok {
		t.Fatal("an empty map answered")
	}
	m.Put("a", g.Load(), 1, 10)
	if v, ok := m.Get("a", g.Load(), time.Minute); !ok || v != 1 {
		t.Fatalf("Get = %d, %v; want 1, true", v, ok)
	}
	if _, ok := m.Get("a", g.Load(), 0); ok {
		t.Error("an entry older than the lifetime was used")
	}
	built := g.Load()
	g.Invalidate()
	if _, ok := m.Get("a", g.Load(), time.Minute); ok {
		t.Error("an entry of an earlier generation was used")
	}
	// Built from rows read before a write committed: born stale.
	m.Put("b", built, 2, 10)
	if _, ok := m.Get("b", g.Load(), time.Minute); ok {
		t.Error("an entry built before the invalidation was used")
	}
}

func TestMap_EmptiedPastItsBound(t *testing.T) {
	var m Map[int, int]
	for i := range 3 {
		m.Put(i, 0, i, 2)
	}
	if _, ok := m.Get(0, 0, time.Minute); ok {
		t.Error("the map kept more entries than its bound")
	}
	if v, ok := m.Get(2, 0, time.Minute); !ok || v != 2 {
		t.Errorf("the entry stored after emptying is gone: %d, %v", v, ok)
	}
}
